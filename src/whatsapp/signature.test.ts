import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from './signature.js';

const SECRET = 'app-secret';
const BODY = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
const VALID = signWebhookBody(SECRET, BODY);
const HEX = VALID.slice('sha256='.length);

describe('verifyWebhookSignature', () => {
  it('accepts Meta\'s header, in either case of hex digits', () => {
    expect(verifyWebhookSignature(SECRET, BODY, VALID)).toBe(true);
    expect(verifyWebhookSignature(SECRET, BODY, `sha256=${HEX.toUpperCase()}`)).toBe(true);
  });

  it('rejects a valid signature with anything before or after it', () => {
    for (const header of [`${VALID}garbage`, `${VALID}0`, `${VALID}00`, `${VALID} `, ` ${VALID}`, `${VALID}\n`, `${VALID},sha256=${HEX}`, `SHA256=${HEX}`, `sha256= ${HEX}`]) {
      expect(verifyWebhookSignature(SECRET, BODY, header), header).toBe(false);
    }
  });

  it('rejects short, empty, non-hex and missing signatures, and another secret\'s', () => {
    for (const header of [undefined, '', 'sha256=', `sha256=${HEX.slice(0, 63)}`, `sha256=${HEX.slice(0, 62)}zz`, `sha1=${HEX}`, signWebhookBody('other', BODY)]) {
      expect(verifyWebhookSignature(SECRET, BODY, header), String(header)).toBe(false);
    }
  });
});
