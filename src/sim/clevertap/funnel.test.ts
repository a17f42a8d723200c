import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatFunnel, orderProblem, startClevertapSimulator, type ClevertapSimulator } from './index.js';
import { campaignOf } from './msg-id.js';
import { postJson } from './test-support.js';

let sim: ClevertapSimulator;
beforeAll(async () => {
  sim = await startClevertapSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const CAMPAIGN = '1639561857';
const msg = (n: number) => `${n}|${CAMPAIGN}|20220227|${n}`;
const TS = '1647441774';

const status = (msgId: string, s: string, extra: Record<string, unknown> = {}) =>
  s === 'Clicked'
    ? { msgId, status: s, ts: 1647441780, url: 'https://shop.example.com/x', shortUrl: 'https://t.example.com/c/1', userAgent: 'UA', ...extra }
    : { msgId, status: s, timestamp: TS, ...extra };
const failed = (msgId: string, code: number) => status(msgId, 'failed', { error: { code, title: 'failure' } });
const dlr = (...statuses: unknown[]) => postJson(sim.deliveryReportUrl(), { payloadVersion: '0.1', statuses });
const reply = (contextId: string) =>
  postJson(sim.inboundMessageUrl(), {
    payloadVersion: '0.1',
    from: '919999999999',
    wabaNumber: '919888888888',
    timestamp: TS,
    type: 'button',
    context: { id: contextId },
    button: { payload: 'p', text: 'Yes' },
  });

describe('campaign funnel', () => {
  it('takes the campaign from the second msgId field', () => {
    expect(campaignOf('25596363|1639561857|20220227|25596363')).toBe('1639561857');
    expect(campaignOf('1|2')).toBe('2');
    expect(campaignOf('no-pipes')).toBeUndefined();
  });

  it('counts distinct messages per stage, failures by code, replies and duplicates', async () => {
    await dlr(status(msg(1), 'sent'), status(msg(2), 'sent'), status(msg(3), 'sent'), status(msg(4), 'sent'));
    await dlr(status(msg(1), 'delivered'), status(msg(2), 'delivered'), failed(msg(3), 1002), failed(msg(4), 1009));
    await dlr(status(msg(1), 'read'), status(msg(1), 'Clicked'), status(msg(1), 'Clicked'));
    await dlr(status(msg(2), 'delivered')); // a retried report
    await dlr(status('9|other|1|9', 'sent'));
    await reply(msg(1));
    await reply(msg(1));
    await reply(msg(2));
    await reply('5|other|1|5');

    expect(sim.funnel(CAMPAIGN)).toEqual({
      campaignId: CAMPAIGN,
      sent: 4,
      delivered: 2,
      read: 1,
      clicked: 1,
      failed: { total: 2, byCode: { '1002': 1, '1009': 1 } },
      replied: 2,
      duplicates: 2,
    });
    expect(sim.funnel('other')).toMatchObject({ sent: 1, replied: 1 });
    expect(sim.funnel('never')).toMatchObject({ sent: 0, failed: { total: 0, byCode: {} } });
    expect(sim.statusesOf(msg(1))).toEqual(['sent', 'delivered', 'read', 'clicked', 'clicked']);
  });

  it('serves the funnel as JSON and as a table', async () => {
    await dlr(status(msg(1), 'sent'), status(msg(2), 'sent'), failed(msg(2), 1002));
    const json = await (await fetch(`${sim.url}/_sim/funnel/${CAMPAIGN}`)).json();
    expect(json).toMatchObject({ sent: 2, failed: { total: 1, byCode: { '1002': 1 } } });
    const table = await (await fetch(`${sim.url}/_sim/funnel/${CAMPAIGN}?format=table`)).text();
    expect(table).toBe(formatFunnel(sim.funnel(CAMPAIGN)) + '\n');
    expect(table).toContain('1002 Invalid phone number');
    expect(table).toMatch(/failed\s+1\s+50\.0%/);
  });
});

describe('status order', () => {
  it.each([
    [['sent', 'delivered', 'read'], undefined],
    [['delivered', 'read'], undefined],
    [['sent', 'sent', 'delivered', 'clicked', 'read'], undefined],
    [['sent', 'failed', 'failed'], undefined],
    [['delivered', 'sent'], 'sent after delivered'],
    [['sent', 'read', 'delivered'], 'delivered after read'],
    [['failed', 'delivered'], 'delivered after failed'],
    [['sent', 'read', 'failed'], 'failed after read'],
    // A redelivered batch after a crash: first arrivals are in order, repeats are ignored.
    [['sent', 'delivered', 'read', 'sent', 'delivered'], undefined],
  ])('%j → %s', (sequence, problem) => {
    expect(orderProblem(sequence)).toBe(problem);
  });

  it('reports each out-of-order message with its arrival sequence', async () => {
    await dlr(status(msg(1), 'sent'), status(msg(1), 'delivered'), status(msg(1), 'read'));
    await dlr(status(msg(2), 'delivered'));
    await dlr(status(msg(2), 'sent'));
    expect(sim.orderViolations()).toEqual([{ msgId: msg(2), sequence: ['delivered', 'sent'], reason: 'sent after delivered' }]);
    const viaApi = (await (await fetch(`${sim.url}/_sim/violations`)).json()) as { violations: unknown[] };
    expect(viaApi.violations).toHaveLength(1);
  });
});
