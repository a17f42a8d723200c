/**
 * STOP and START: a user's keyword, received as a signed Meta webhook, changes what the gateway
 * answers CleverTap (2003 for template sends), survives a restart, and is mirrored to CleverTap's
 * profile through the Upload API.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signWebhookBody } from '../src/whatsapp/signature.js';
import { eventually, fixture, startTestGateway, type TestGateway } from './support/gateway.js';

let gateway: TestGateway | undefined;
let uploadApi: Server | undefined;
afterEach(async () => {
  await gateway?.stop();
  await new Promise((resolve) => (uploadApi ? uploadApi.close(resolve) : resolve(undefined)));
  gateway = uploadApi = undefined;
});

const USER = '919977700011';

async function startUploadApi(): Promise<{ url: string; calls: Array<{ headers: IncomingHttpHeaders; body: unknown }> }> {
  const calls: Array<{ headers: IncomingHttpHeaders; body: unknown }> = [];
  uploadApi = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      calls.push({ headers: request.headers, body: JSON.parse(raw) });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success","processed":1,"unprocessed":[]}');
    });
  });
  await new Promise<void>((resolve) => uploadApi!.listen(0, '127.0.0.1', resolve));
  const address = uploadApi.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/1/upload`, calls };
}

function accountConfig(uploadUrl: string) {
  return [
    {
      id: 'sandbox',
      wabaNumber: '919888888888',
      clevertap: { auth: { kind: 'bearer', token: 'ct' }, accountId: 'TEST-123', passcode: 'pass-456', uploadApiUrl: uploadUrl },
    },
  ];
}

async function userWrites(gw: TestGateway, text: string, id: string) {
  const body = fixture('whatsapp/webhooks/inbound-text-reply.json');
  const value = body.entry[0].changes[0].value;
  value.metadata.phone_number_id = gw.accounts[0]!.whatsapp.phoneNumberId;
  Object.assign(value.messages[0], { from: USER, id, text: { body: text } });
  delete value.messages[0].context;
  const raw = JSON.stringify(body);
  expect((await gw.post('/v1/whatsapp/webhook', raw, { 'x-hub-signature-256': signWebhookBody(gw.sandboxSecrets!.appSecret, raw) })).status).toBe(200);
}

const templateSend = (i: number) => ({ ...fixture('clevertap/requests/template-text-header.json'), to: USER, msgId: `opt|${i}` });
const freeformSend = (i: number) => ({ ...fixture('clevertap/requests/freeform-text.json'), to: USER, msgId: `opt-free|${i}` });

describe('opt-out keywords', () => {
  it('answers 2003 to template sends after STOP, tells CleverTap, survives a restart, and lifts on START', async () => {
    const upload = await startUploadApi();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-optout-'));
    gateway = await startTestGateway({ accounts: accountConfig(upload.url) }, { dataDir });
    const send = async (body: object) => (await gateway!.post('/v1/clevertap/sandbox/messages', body, { authorization: 'ct' })).json;

    expect(await send(templateSend(1))).toEqual({ status: 'success' });
    await userWrites(gateway, ' Stop ', 'wamid.stop-1');
    expect(await send(templateSend(2))).toEqual({ status: 'failure', error: { code: 2003, message: 'Phone number not subscribed' } });
    // Agents may still answer a user who is talking to them.
    expect(await send(freeformSend(1))).toEqual({ status: 'success' });

    const call = await eventually(() => upload.calls[0], 'the Upload API call');
    expect(call.headers['x-clevertap-account-id']).toBe('TEST-123');
    expect(call.headers['x-clevertap-passcode']).toBe('pass-456');
    expect(call.body).toEqual({ d: [{ identity: USER, type: 'profile', profileData: { 'MSG-whatsapp': false } }] });

    await gateway.close();
    gateway = await startTestGateway({ accounts: accountConfig(upload.url) }, { dataDir });
    expect(await send(templateSend(3))).toMatchObject({ status: 'failure', error: { code: 2003 } });

    await userWrites(gateway, 'START', 'wamid.start-1');
    expect(await send(templateSend(4))).toEqual({ status: 'success' });
    expect(upload.calls).toHaveLength(1);
  }, 20_000);
});
