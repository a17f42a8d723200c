/**
 * While CleverTap's callback URL is down, the reports owed to it wait at their place and age: the
 * admin stats show when the oldest was owed (the URL redacted to its origin), and
 * `wabridge_queue_oldest_age_seconds{queue="callbacks"}` grows.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { sandboxAdminAuth } from './support/admin-auth.js';
import { eventually, fixture, startTestGateway, type TestGateway } from './support/gateway.js';

let gateway: TestGateway | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await gateway?.stop();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  gateway = receiver = undefined;
});

interface QueueRow {
  queue: string;
  partitionKey: string;
  ready: number;
  leased: number;
  oldestReadyAt: number | null;
}

describe('callbacks owed to a CleverTap URL that is down', () => {
  it('are reported with when the oldest was owed, in the stats and as an age metric', async () => {
    receiver = createServer((incoming, response) => {
      incoming.resume();
      incoming.on('end', () => response.writeHead(503).end('down for maintenance'));
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    const dlrUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/dlr?token=secret`;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-owed-'));
    const raw = {
      store: { path: path.join(dataDir, 'wabridge.db') },
      accounts: [{ id: 'sandbox', wabaNumber: '919888888888', clevertap: { auth: { kind: 'bearer', token: 'ct' }, deliveryReportUrl: dlrUrl } }],
    };
    gateway = await startTestGateway(raw, { dataDir });
    const sentAt = Date.now();
    const send = { ...fixture('clevertap/requests/freeform-text.json'), msgId: 'owed|1', to: '919955500002' };
    expect((await gateway.post('/v1/clevertap/sandbox/messages', send, { authorization: 'ct' })).json).toEqual({ status: 'success' });

    const origin = new URL(dlrUrl).origin;
    const owed = await eventually(async () => {
      const stats = await request(`${gateway!.url}/v1/admin/stats`, { headers: sandboxAdminAuth(gateway!) });
      const text = await stats.body.text();
      expect(text).not.toContain('token=secret');
      const row = (JSON.parse(text) as { queue: QueueRow[] }).queue.find((candidate) => candidate.queue === 'callbacks');
      // Failed at least once and put back at its place: due, not being sent.
      return row && row.ready > 0 && row.oldestReadyAt !== null ? row : undefined;
    }, 'a report owed to the unreachable URL to wait, due');
    expect(owed.partitionKey).toBe(`${origin}/…`);
    expect(owed.oldestReadyAt).toBeGreaterThanOrEqual(sentAt);
    expect(owed.oldestReadyAt).toBeLessThanOrEqual(Date.now());

    const age = async () => {
      const metrics = await request(`${gateway!.url}/metrics`, { headers: sandboxAdminAuth(gateway!) });
      const line = (await metrics.body.text()).split('\n').find((candidate) => candidate.startsWith('wabridge_queue_oldest_age_seconds{queue="callbacks"}'));
      return Number(line?.split(' ')[1]);
    };
    const first = await eventually(async () => {
      const seconds = await age();
      return seconds > 0 ? seconds : undefined;
    }, 'the oldest report to have an age');
    expect(first).toBeLessThan((Date.now() - sentAt) / 1000 + 1);
    await eventually(async () => (await age()) > first, 'the age to grow while the URL stays down');
  }, 20_000);
});
