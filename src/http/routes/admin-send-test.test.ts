/**
 * The send-test admin route on a sandbox gateway (real SQLite store, the built-in Meta simulator):
 * a message sent without the account's CleverTap credential is answered as CleverTap's endpoint
 * answers it, stored under the id it answers, sent to Meta, and audited without a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { SANDBOX_ACCOUNT_ID, SANDBOX_WABA_NUMBER } from '../../gateway.js';
import { sandboxAdminAuth } from '../../../test/support/admin-auth.js';
import { eventually, fixture, startTestGateway, type TestGateway } from '../../../test/support/gateway.js';

const SEND_TEST = `/v1/admin/accounts/${SANDBOX_ACCOUNT_ID}/send-test`;

describe('POST /v1/admin/accounts/{id}/send-test', () => {
  let gw: TestGateway;
  let admin: { authorization: string };

  beforeAll(async () => {
    gw = await startTestGateway();
    admin = sandboxAdminAuth(gw);
  });
  afterAll(() => gw.stop());

  const text = (msgId: string, to: string, extra: Record<string, unknown> = {}) => ({ ...fixture('clevertap/requests/freeform-text.json'), msgId, to, wabaNumber: SANDBOX_WABA_NUMBER, ...extra });

  it('accepts a message without the CleverTap credential, answers its id, and it reaches Meta', async () => {
    const answer = await gw.post(SEND_TEST, text('console|1|20261208|1', '919955500201'), admin);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 200, body: { status: 'success' }, messageId: expect.any(String) });

    const sent = await eventually(() => gw.simulator!.accepted().find((candidate) => candidate.waId === '919955500201'), 'the test message to reach the Meta simulator');
    expect(sent).toBeDefined();
    const stored = await request(`${gw.url}/v1/admin/messages/${encodeURIComponent(answer.json.messageId)}`, { headers: admin });
    expect(stored.statusCode).toBe(200);
    expect(((await stored.body.json()) as { message: { msgId: string } }).message.msgId).toBe('console|1|20261208|1');
  });

  it("answers what CleverTap's endpoint answers the same body, refusals included", async () => {
    const clevertap = { authorization: `Bearer ${gw.sandboxSecrets!.clevertapToken}` };
    const bodies: Array<string | object> = [
      text('console|2|20261208|1', '919955500202', { wabaNumber: '919800000000' }), // not the account's number
      text('console|3|20261208|1', '919955500203', { type: 'sticker' }), // not a kind it sends
      '{"to": ', // not JSON
    ];
    for (const body of bodies) {
      const viaAdmin = await gw.post(SEND_TEST, body, admin);
      const direct = await gw.post(`/v1/clevertap/${SANDBOX_ACCOUNT_ID}/messages`, body, clevertap);
      expect(viaAdmin.status).toBe(200);
      expect(viaAdmin.json).toEqual({ status: direct.status, body: direct.json });
    }
    const [wrongNumber, unknownKind, notJson] = await Promise.all(bodies.map((body) => gw.post(SEND_TEST, body, admin)));
    expect(wrongNumber!.json.body).toMatchObject({ status: 'failure', error: { code: 2004 } });
    expect(unknownKind!.json.body).toMatchObject({ status: 'failure' });
    expect(notJson!.json).toMatchObject({ status: 400, body: { message: expect.stringContaining('not valid JSON'), errors: [] } });
  });

  it('records each test send in the audit log, never with a credential', async () => {
    await gw.post(SEND_TEST, text('console|4|20261208|1', '919955500204'), admin);
    const listed = await request(`${gw.url}/v1/admin/audit?subject=${SANDBOX_ACCOUNT_ID}`, { headers: admin });
    const entries = ((await listed.body.json()) as { data: Array<{ actor: string; action: string; details: Record<string, unknown> }> }).data;
    const entry = entries.find((candidate) => candidate.details['msgId'] === 'console|4|20261208|1');
    expect(entry).toMatchObject({ actor: 'admin', action: 'message.send-test', details: { to: '919955500204', isTemplate: false, status: 200, answer: { status: 'success' }, messageId: expect.any(String) } });
    const written = JSON.stringify(entries);
    expect(written).not.toContain(gw.sandboxSecrets!.clevertapToken);
    expect(written).not.toContain(gw.sandboxSecrets!.adminToken);
  });

  it('answers 404 for an account it does not serve, and 401 without the admin token', async () => {
    const unknown = await gw.post('/v1/admin/accounts/nobody/send-test', text('console|5|20261208|1', '919955500205'), admin);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ message: 'no account "nobody" is configured', errors: [] });
    const anonymous = await gw.post(SEND_TEST, text('console|6|20261208|1', '919955500206'));
    expect(anonymous.status).toBe(401);
    expect(gw.simulator!.accepted().some((candidate) => candidate.waId === '919955500206')).toBe(false);
  });

  it('presents the credentials of any kind an account is configured with (a stored account with Basic auth)', async () => {
    const document = { id: 'basic-acct', wabaNumber: '919833333301', clevertap: { auth: { kind: 'basic', username: 'ct-user', password: 'ct-password-1234' } }, whatsapp: {} };
    const created = await request(`${gw.url}/v1/admin/accounts`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify(document) });
    expect(created.statusCode).toBe(201);
    await created.body.dump();
    const answer = await gw.post('/v1/admin/accounts/basic-acct/send-test', { ...text('console|7|20261208|1', '919955500207'), wabaNumber: '919833333301' }, admin);
    expect(answer.json).toMatchObject({ status: 200, body: { status: 'success' }, messageId: expect.any(String) });
  });
});
