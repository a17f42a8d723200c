import Fastify from 'fastify';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountSchema } from '../config/schema.js';
import { SCHEMA_ANNOTATIONS } from './openapi.js';
import { fieldPathOf, problem, validationProblem, type SchemaViolation } from './problem.js';

describe('fieldPathOf', () => {
  it.each([
    [{ keyword: 'minLength', instancePath: '/whatsapp/accessToken', params: {} }, 'whatsapp.accessToken'],
    [{ keyword: 'required', instancePath: '/clevertap', params: { missingProperty: 'deliveryReportUrl' } }, 'clevertap.deliveryReportUrl'],
    [{ keyword: 'required', instancePath: '', params: { missingProperty: 'id' } }, 'id'],
    [{ keyword: 'pattern', instancePath: '/clevertap/probeNumbers/2', params: {} }, 'clevertap.probeNumbers[2]'],
    [{ keyword: 'additionalProperties', instancePath: '/whatsapp', params: { additionalProperty: 'tokn' } }, 'whatsapp.tokn'],
    [{ keyword: 'minLength', instancePath: '/clevertap/auth/headers/x~1api~0key', params: {} }, 'clevertap.auth.headers.x/api~key'],
    [{ keyword: 'type', instancePath: '', params: {} }, ''],
  ] satisfies Array<[SchemaViolation, string]>)('%j → %s', (violation, path) => expect(fieldPathOf(violation)).toBe(path));
});

describe('validationProblem', () => {
  it('says what was wrong in one sentence, leading with the first field', () => {
    const violations: SchemaViolation[] = [
      { keyword: 'required', instancePath: '', params: { missingProperty: 'wabaNumber' }, message: "must have required property 'wabaNumber'" },
      { keyword: 'minLength', instancePath: '/whatsapp/accessToken', params: {}, message: 'must NOT have fewer than 1 characters' },
    ];
    expect(validationProblem(violations, 'body')).toEqual({
      status: 422,
      message: 'the request body is not valid: wabaNumber is required (and 1 more)',
      errors: [
        { field: 'wabaNumber', message: 'is required' },
        { field: 'whatsapp.accessToken', message: 'must NOT have fewer than 1 characters' },
      ],
    });
  });

  it('answers a wrong whole body without field errors, and a query string with 400', () => {
    expect(validationProblem([{ keyword: 'type', instancePath: '', params: {}, message: 'must be object' }], 'body')).toEqual({ status: 422, message: 'the request body is not valid: it must be object', errors: [] });
    expect(validationProblem([{ keyword: 'enum', instancePath: '/state', params: { allowedValues: ['sent', 'read'] } }], 'querystring')).toEqual({
      status: 400,
      message: 'the query string is not valid: state must be one of "sent", "read"',
      errors: [{ field: 'state', message: 'must be one of "sent", "read"' }],
    });
  });
});

// Fastify's own validator (Ajv) on a TypeBox schema, its errors put through validationProblem
// the way src/http/app.ts's error handler does.
describe('schema failures of a fastify route', () => {
  // The options src/http/app.ts gives fastify's validator.
  const app = Fastify({ ajv: { customOptions: { keywords: [...SCHEMA_ANNOTATIONS] } } });
  const Account = Type.Object({
    id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    wabaNumber: Type.String(),
    whatsapp: Type.Object({ phoneNumberId: Type.String(), accessToken: Type.String({ minLength: 1 }) }),
    clevertap: Type.Object({ deliveryReportUrl: Type.String({ pattern: '^https?://' }), probeNumbers: Type.Array(Type.String({ pattern: '^[0-9]+$' })) }),
  });
  beforeAll(async () => {
    app.setErrorHandler((error: { validation?: SchemaViolation[]; validationContext?: string }, _request, reply) => {
      const invalid = validationProblem(error.validation ?? [], error.validationContext);
      return problem(reply, invalid.status, invalid.message, invalid.errors);
    });
    app.post('/config-accounts', { schema: { body: AccountSchema } }, async () => ({ ok: true }));
    app.post('/accounts', { schema: { body: Account, querystring: Type.Object({ verify: Type.Optional(Type.Boolean()) }) } }, async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(async () => app.close());

  const valid = { id: 'acme', wabaNumber: '919888888888', whatsapp: { phoneNumberId: '1', accessToken: 'EAAG' }, clevertap: { deliveryReportUrl: 'https://x', probeNumbers: ['91'] } };
  const post = (body: unknown, url = '/accounts') => app.inject({ method: 'POST', url, payload: body as object });

  it('names a nested field by its dotted path', async () => {
    const answer = await post({ ...valid, whatsapp: { phoneNumberId: '1', accessToken: '' } });
    expect(answer.statusCode).toBe(422);
    expect(answer.json()).toEqual({ message: 'the request body is not valid: whatsapp.accessToken must NOT have fewer than 1 characters', errors: [{ field: 'whatsapp.accessToken', message: 'must NOT have fewer than 1 characters' }] });
  });

  it('names a missing property in full', async () => {
    const answer = await post({ ...valid, clevertap: { probeNumbers: [] } });
    expect(answer.json().errors).toEqual([{ field: 'clevertap.deliveryReportUrl', message: 'is required' }]);
  });

  it('names an array item by its index', async () => {
    const answer = await post({ ...valid, clevertap: { ...valid.clevertap, probeNumbers: ['91', 'x'] } });
    expect(answer.json().errors).toEqual([{ field: 'clevertap.probeNumbers[1]', message: 'must match pattern "^[0-9]+$"' }]);
  });

  it('validates with the configuration schema itself (its secret/env annotations accepted)', async () => {
    const answer = await post({ id: 'acme', wabaNumber: '919888888888', clevertap: { auth: { kind: 'bearer', token: '' } } }, '/config-accounts');
    expect(answer.statusCode).toBe(422);
    expect(answer.json()).toEqual({
      message: 'the request body is not valid: clevertap.auth.token must NOT have fewer than 1 characters',
      errors: [{ field: 'clevertap.auth.token', message: 'must NOT have fewer than 1 characters' }],
    });
    const noToken = await post({ id: 'acme', wabaNumber: '919888888888', clevertap: { auth: { kind: 'bearer' } } }, '/config-accounts');
    expect(noToken.json().errors).toEqual([{ field: 'clevertap.auth', message: 'matches none of the allowed shapes' }]);
    const missing = await post({ id: 'acme', clevertap: { auth: { kind: 'bearer', token: 't' } } }, '/config-accounts');
    expect(missing.json().errors).toEqual([{ field: 'wabaNumber', message: 'is required' }]);
  });

  it('answers a bad query parameter 400, naming it', async () => {
    const answer = await post(valid, '/accounts?verify=perhaps');
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toEqual({ message: 'the query string is not valid: verify must be boolean', errors: [{ field: 'verify', message: 'must be boolean' }] });
    expect((await post(valid, '/accounts?verify=false')).statusCode).toBe(200);
  });
});
