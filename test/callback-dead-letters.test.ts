/**
 * A CleverTap endpoint that refuses a body (4xx) gets it dead-lettered with its answer, never
 * silently dropped; `wabridge callbacks dead-letters` shows it and `… replay` sends it again.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listDeadLetters, replayDeadLetters } from '../src/cli/callbacks.js';
import { startMetaSimulator, type MetaSimulator } from '../src/sim/meta/index.js';
import { request } from 'undici';
import { sandboxAdminAuth } from './support/admin-auth.js';
import { eventually, fixture, startTestGateway, type TestGateway } from './support/gateway.js';

let gateway: TestGateway | undefined;
let receiver: Server | undefined;
let simulator: MetaSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
  await gateway?.stop();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  gateway = receiver = undefined;
  delete process.env['WABRIDGE_CONFIG'];
});

describe('dead-lettered callbacks', () => {
  it('keeps a refused delivery report with the answer, lists it, and replays it', async () => {
    let refuse = true;
    const accepted: unknown[] = [];
    receiver = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk) => (raw += chunk));
      request.on('end', () => {
        if (refuse) return void response.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"unknown msgId"}');
        accepted.push(JSON.parse(raw));
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    const dlrUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/dlr?token=secret`;

    const dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-dead-'));
    const raw = {
      store: { path: path.join(dataDir, 'wabridge.db') },
      accounts: [{ id: 'sandbox', wabaNumber: '919888888888', clevertap: { auth: { kind: 'bearer', token: 'ct' }, deliveryReportUrl: dlrUrl } }],
    };
    gateway = await startTestGateway(raw, { dataDir });
    const send = { ...fixture('clevertap/requests/freeform-text.json'), msgId: 'dead|1', to: '919955500001' };
    expect((await gateway.post('/v1/clevertap/sandbox/messages', send, { authorization: 'ct' })).json).toEqual({ status: 'success' });

    process.env['WABRIDGE_CONFIG'] = path.join(dataDir, 'config.json');
    writeFileSync(process.env['WABRIDGE_CONFIG'], JSON.stringify({ mode: 'sandbox', ...raw }));
    const lines: string[] = [];
    await eventually(async () => {
      lines.length = 0;
      await listDeadLetters({ limit: 10, json: true }, (line) => lines.push(line));
      const rows = JSON.parse(lines.join('\n')) as Array<{ kind: string; reason: string }>;
      return rows.length >= 3 ? rows : undefined; // sent, delivered, read
    }, 'the refused reports to be dead-lettered');
    const rows = JSON.parse(lines.join('\n')) as Array<{ kind: string; msgId: string; url: string; reason: string }>;
    expect(rows[0]).toMatchObject({ account: 'sandbox', kind: 'dlr', msgId: 'dead|1', reason: 'HTTP 422: {"error":"unknown msgId"}' });
    // The callback URL's path and query carry CleverTap's tenant token: its origin is all that is shown.
    const origin = new URL(dlrUrl).origin;
    expect(rows[0]!.url).toBe(`${origin}/…`);
    expect(lines.join('\n')).not.toContain('token=secret');
    const printed: string[] = [];
    await listDeadLetters({ limit: 10 }, (line) => printed.push(line));
    expect(printed.join('\n')).toContain(`→ ${origin}/…`);
    expect(printed.join('\n')).not.toContain('token=secret');
    // And so do the admin API's stats, whose callback queue is partitioned by that URL.
    const stats = await request(`${gateway.url}/v1/admin/stats`, { headers: sandboxAdminAuth(gateway) });
    const text = await stats.body.text();
    expect(text).not.toContain('token=secret');
    const partitions = (JSON.parse(text) as { queue: Array<{ queue: string; partitionKey: string; dead: number }> }).queue.filter((row) => row.queue === 'callbacks');
    expect(partitions).toEqual([expect.objectContaining({ partitionKey: `${origin}/…`, dead: rows.length })]);
    const listed = await request(`${gateway.url}/v1/admin/callbacks/dead-letters`, { headers: sandboxAdminAuth(gateway) });
    expect(((await listed.body.json()) as { data: Array<{ url: string }> }).data.map((letter) => letter.url)).toEqual(rows.map(() => `${origin}/…`));
    // No metric is labelled with a URL.
    const metrics = await request(`${gateway.url}/metrics`, { headers: sandboxAdminAuth(gateway) });
    const exposition = await metrics.body.text();
    expect(exposition).toContain('wabridge_callbacks_total');
    expect(exposition).not.toContain('/dlr');

    refuse = false;
    const replayed = await replayDeadLetters([], { all: true }, () => {});
    expect(replayed).toBe(rows.length);
    await eventually(() => accepted.length > 0, 'the replayed reports to arrive');
    const statuses = (accepted as Array<{ statuses: Array<{ msgId: string; status: string }> }>).flatMap((body) => body.statuses.map((status) => status.status));
    expect(statuses).toEqual(expect.arrayContaining(['sent', 'delivered', 'read']));
  }, 20_000);

  it.each([
    [false, 'dead-lettered as refused'],
    [true, 'delivered'],
  ])('production mode: a callback URL on a private address (allowPrivateCallbackTargets=%s) is %s', async (allowPrivate) => {
    const received: unknown[] = [];
    receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        received.push(request.url);
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    const dlrUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/dlr`;
    // Production mode refuses short secrets: these are long enough.
    const secrets = { accessToken: 'graph-token-prod', appSecret: 'app-secret-prod' };
    simulator = await startMetaSimulator({ ...secrets, phoneNumbers: [{ phoneNumberId: '105000000000001', displayPhoneNumber: '919888888888', wabaId: '205000000000001' }] });
    gateway = await startTestGateway({
      mode: 'production',
      accounts: [
        {
          id: 'prod',
          wabaNumber: '919888888888',
          clevertap: { auth: { kind: 'bearer', token: 'ct-prod-token' }, deliveryReportUrl: dlrUrl, allowPrivateCallbackTargets: allowPrivate },
          whatsapp: { graphBaseUrl: simulator.graphBaseUrl, phoneNumberId: '105000000000001', wabaId: '205000000000001', ...secrets, webhookVerifyToken: 'verify-prod' },
        },
      ],
    });
    simulator.setWebhookUrl(`${gateway.url}/v1/whatsapp/webhook`);
    const send = { ...fixture('clevertap/requests/freeform-text.json'), msgId: `ssrf|${allowPrivate}`, to: '919955500002' };
    expect((await gateway.post('/v1/clevertap/prod/messages', send, { authorization: 'ct-prod-token' })).json).toEqual({ status: 'success' });
    if (allowPrivate) {
      await eventually(() => received.length > 0, 'the callback to be delivered');
      return;
    }
    const [dead] = await eventually(async () => {
      const rows = await gateway!.queue.listDead('callbacks', 10);
      return rows.length > 0 ? rows : undefined;
    }, 'the callback to be refused');
    expect(dead!.reason).toMatch(/refused: 127\.0\.0\.1 is not a public address/);
    expect(received).toEqual([]);
  }, 20_000);
});
