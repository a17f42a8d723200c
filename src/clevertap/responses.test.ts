import { describe, it, expect } from 'vitest';
import {
  BAD_REQUEST_BODY,
  failureBody,
  INTERNAL_ERROR_BODY,
  INVALID_CREDENTIALS_BODY,
  SUCCESS_BODY,
  TOO_MANY_REQUESTS_BODY,
} from './responses.js';

describe('response bodies (spec §2)', () => {
  it('are byte-exact', () => {
    expect(SUCCESS_BODY).toBe('{"status":"success"}');
    expect(INTERNAL_ERROR_BODY).toBe('{"status":"failure","error":{"message":"Unable to process the request"}}');
    expect(TOO_MANY_REQUESTS_BODY).toBe('{"message":"Too many requests to process"}');
    expect(BAD_REQUEST_BODY).toBe('{"message":"Bad Request"}');
    expect(INVALID_CREDENTIALS_BODY).toBe('{"status":"failure","error":{"code":2000,"message":"Invalid Credentials"}}');
  });

  it('builds failure bodies with the numeric code', () => {
    expect(failureBody(2002, 'to "x" is not a valid phone number')).toBe(
      '{"status":"failure","error":{"code":2002,"message":"to \\"x\\" is not a valid phone number"}}',
    );
  });

  it('escapes any message into valid JSON', () => {
    const nasty = 'quote " backslash \\ newline \n tab \t nul \u0000 emoji 😀 lone \ud800 end';
    const body = failureBody(2001, nasty);
    expect(JSON.parse(body)).toEqual({ status: 'failure', error: { code: 2001, message: nasty } });
    // Well-formed JSON.stringify: the lone surrogate is escaped, so the body is valid UTF-8 on the wire.
    expect(body).toContain('\\ud800');
  });
});
