/**
 * Callback targets that misbehave, against a real gateway: a URL that answers slowly holds back
 * no other URL, not even one on the same host and port (each URL sends on its own connection of
 * the origin's pool, one request at a time).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, fixture, startTestGateway, type TestGateway } from './support/gateway.js';

let gateway: TestGateway | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await gateway?.stop();
  receiver?.closeAllConnections();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  gateway = receiver = undefined;
});

interface Arrival {
  path: string;
  statuses: Array<{ msgId: string; status: string }>;
  /** Slow requests still waiting for their answer when this one arrived. */
  slowOpen: number;
}

describe('hostile callback targets', () => {
  it('delivers a fast URL at once while other URLs on the same host answer after 10 s', async () => {
    const arrivals: Arrival[] = [];
    let slowOpen = 0;
    receiver = createServer((request: IncomingMessage, response: ServerResponse) => {
      const path = request.url ?? '';
      const slow = path.startsWith('/slow');
      if (slow) slowOpen++;
      let raw = '';
      request.on('data', (chunk) => (raw += chunk));
      request.on('end', () => {
        const body = JSON.parse(raw) as { statuses?: Arrival['statuses'] };
        arrivals.push({ path, statuses: body.statuses ?? [], slowOpen });
        if (!slow) return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success"}');
        const timer = setTimeout(() => response.writeHead(200).end('{"status":"success"}'), 10_000);
        response.on('close', () => {
          clearTimeout(timer);
          slowOpen--;
        });
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    gateway = await startTestGateway({
      accounts: [{ id: 'sandbox', wabaNumber: '919888888888', clevertap: { auth: { kind: 'bearer', token: 'ct' }, deliveryReportUrl: `${origin}/default` } }],
    });
    const send = (msgId: string, to: string, dlrUrl: string) =>
      gateway!.post('/v1/clevertap/sandbox/messages', { ...fixture('clevertap/requests/freeform-text.json'), msgId, to }, { authorization: 'ct', 'delivery-report-callback-url': dlrUrl });

    // Three slow URLs on the target's origin, each holding a request open…
    for (const index of [1, 2, 3]) {
      expect((await send(`slow|${index}`, `91995560000${index}`, `${origin}/slow/${index}?token=a`)).json).toEqual({ status: 'success' });
    }
    await eventually(() => slowOpen >= 3, 'a request to every slow URL to be open');

    // …and a fast URL on the same origin gets its reports while they are still open.
    expect((await send('fast|1', '919955600009', `${origin}/fast?token=b`)).json).toEqual({ status: 'success' });
    const fast = await eventually(() => {
      const received = arrivals.filter((arrival) => arrival.path.startsWith('/fast'));
      const statuses = received.flatMap((arrival) => arrival.statuses.map((status) => status.status));
      return ['sent', 'delivered', 'read'].every((status) => statuses.includes(status)) ? received : undefined;
    }, "the fast URL's reports");
    expect(fast.every((arrival) => arrival.slowOpen >= 1)).toBe(true);
    expect(fast.flatMap((arrival) => arrival.statuses.map((status) => status.msgId))).toEqual(expect.arrayContaining(['fast|1']));
    expect(fast.flatMap((arrival) => arrival.statuses).every((status) => status.msgId === 'fast|1')).toBe(true);
  }, 30_000);
});
