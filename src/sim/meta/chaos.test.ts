import { afterEach, describe, expect, it } from 'vitest';
import type { MetaSimulator } from './index.js';
import { sendMessage, startReceiver, startTestSim, text, waitFor, type Receiver } from './test-support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(overrides: Parameters<typeof startTestSim>[0] = {}): Promise<{ sim: MetaSimulator; rx: Receiver }> {
  const rx = await startReceiver();
  const sim = await startTestSim({ webhookUrl: rx.url, pairRateLimit: false, ...overrides });
  cleanups.push(() => rx.close(), () => sim.close());
  return { sim, rx };
}

/** Sequential sends: the chaos PRNG is drawn per accepted message, so order fixes the outcome. */
async function sendAll(sim: MetaSimulator, recipients: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const to of recipients) ids.push((await sendMessage(sim, text(to))).body.messages[0].id);
  return ids;
}

const users = (n: number, prefix = '1650555') => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
const quiet = (sim: MetaSimulator) => () => sim.scheduledStatuses() === 0 && sim.pendingWebhooks() === 0;
const statusesOf = (rx: Receiver, wamid: string) => rx.statuses().filter((s) => s.id === wamid);

describe('chaos knobs', () => {
  it('duplicateRate delivers every status twice, some in the same POST and some in another; truth keeps one', async () => {
    const { sim, rx } = await setup({ chaos: { duplicateRate: 1, seed: 7 } });
    const ids = await sendAll(sim, users(5));
    await waitFor(() => rx.statuses().length === 30 && quiet(sim)(), 4000, 'duplicated statuses');

    let samePost = 0;
    let otherPost = 0;
    for (const id of ids) {
      for (const status of ['sent', 'delivered', 'read']) {
        const posts = rx.received
          .map((w, i) => ({ i, n: w.body.entry[0].changes[0].value.statuses.filter((s: any) => s.id === id && s.status === status).length }))
          .filter((p) => p.n > 0);
        expect(posts.reduce((a, p) => a + p.n, 0)).toBe(2);
        if (posts.length === 1) samePost++;
        else otherPost++;
      }
    }
    expect(samePost).toBeGreaterThan(0);
    expect(otherPost).toBeGreaterThan(0);
    expect(rx.received.every((w) => w.signatureOk)).toBe(true);
    expect(sim.truth().map((t) => t.statuses)).toEqual(ids.map(() => ['sent', 'delivered', 'read']));
  });

  it('outOfOrderRate swaps two statuses of every message on the wire but keeps their timestamps', async () => {
    const { sim, rx } = await setup({ chaos: { outOfOrderRate: 1, seed: 3 } });
    const ids = await sendAll(sim, users(6));
    await waitFor(() => rx.statuses().length === 18 && quiet(sim)(), 4000, 'statuses');
    const rank: Record<string, number> = { sent: 0, delivered: 1, read: 2 };
    const truth = new Map(sim.truth().map((t) => [t.wamid, t.statuses]));
    for (const id of ids) {
      const got = statusesOf(rx, id);
      const order = got.map((s) => s.status as string);
      expect([...order].sort((a, b) => (rank[a] ?? 0) - (rank[b] ?? 0))).toEqual(['sent', 'delivered', 'read']);
      expect(order).not.toEqual(['sent', 'delivered', 'read']);
      expect(truth.get(id)).toEqual(order);
      // Meta's timestamps say when it happened, so sorting by (timestamp, rank) recovers the truth.
      const ts = Object.fromEntries(got.map((s) => [s.status, Number(s.timestamp)]));
      expect(ts.sent).toBeLessThanOrEqual(ts.delivered);
      expect(ts.delivered).toBeLessThanOrEqual(ts.read);
    }
  });

  it('skipDeliveredRate sends read without delivered; unread lifecycles are untouched', async () => {
    const { sim, rx } = await setup({ chaos: { skipDeliveredRate: 1 } });
    const [normal, noRead] = await sendAll(sim, ['16505551234', '99941234567']);
    await waitFor(() => statusesOf(rx, normal as string).length === 2 && statusesOf(rx, noRead as string).length === 2, 3000, 'statuses');
    await waitFor(quiet(sim), 1000, 'quiet');
    expect(statusesOf(rx, normal as string).map((s) => s.status)).toEqual(['sent', 'read']);
    expect(statusesOf(rx, noRead as string).map((s) => s.status)).toEqual(['sent', 'delivered']);
    expect(sim.truth().map((t) => t.statuses)).toEqual([
      ['sent', 'read'],
      ['sent', 'delivered'],
    ]);
  });

  it('deliveredAfterFailedRate follows a failed status with delivered', async () => {
    const { sim, rx } = await setup({ chaos: { deliveredAfterFailedRate: 1 } });
    const [failed, normal] = await sendAll(sim, ['9992131026', '16505551234']);
    await waitFor(() => statusesOf(rx, failed as string).length === 2 && statusesOf(rx, normal as string).length === 3, 3000, 'statuses');
    const got = statusesOf(rx, failed as string);
    expect(got.map((s) => s.status)).toEqual(['failed', 'delivered']);
    expect(got[0].errors[0].code).toBe(131026);
    expect(got[1].errors).toBeUndefined();
    expect(sim.truth()[0]).toMatchObject({ wamid: failed, statuses: ['failed', 'delivered'], failedCode: 131026 });
    expect(sim.truth()[1]?.failedCode).toBeUndefined();
  });

  it('a fixed seed reproduces the same partial choices after reset; PUT /_sim/chaos reseeds', async () => {
    const { sim } = await setup({
      chaos: { skipDeliveredRate: 0.5, seed: 42 },
      statusDelays: { sentMs: 5, deliveredMs: 10, readMs: 15 },
    });
    const run = async () => {
      await sendAll(sim, users(16));
      await waitFor(quiet(sim), 3000, 'quiet');
      return sim.truth().map((t) => t.statuses.includes('delivered'));
    };
    const first = await run();
    expect(first).toContain(true);
    expect(first).toContain(false);

    sim.reset();
    expect(await run()).toEqual(first);

    sim.reset();
    const put = await fetch(`${sim.url}/_sim/chaos`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"seed":43}' });
    expect(await put.json()).toEqual({ duplicateRate: 0, outOfOrderRate: 0, skipDeliveredRate: 0.5, deliveredAfterFailedRate: 0, seed: 43 });
    expect(await run()).not.toEqual(first);
  });

  it('truth() matches what the receiver got, minus duplicates, with every knob on', async () => {
    const { sim, rx } = await setup({
      chaos: { duplicateRate: 0.3, outOfOrderRate: 0.3, skipDeliveredRate: 0.3, deliveredAfterFailedRate: 0.5, seed: 11 },
    });
    await sendAll(sim, [...users(12), '9992131047', '99921310471', '99951234567', '99941234567']);
    await waitFor(quiet(sim), 4000, 'quiet');

    const truth = sim.truth();
    expect(truth).toHaveLength(16);
    const seen = new Map<string, string[]>();
    for (const s of rx.statuses()) {
      const list = seen.get(s.id) ?? [];
      if (!list.includes(s.status)) list.push(s.status);
      seen.set(s.id, list);
    }
    for (const t of truth) {
      // As sets: two POSTs a few ms apart may overtake each other on the wire.
      expect([...(seen.get(t.wamid) ?? [])].sort()).toEqual([...t.statuses].sort());
      const failed = rx.statuses().find((s) => s.id === t.wamid && s.status === 'failed');
      expect(t.failedCode).toBe(failed?.errors[0].code);
    }
    expect(rx.statuses().length).toBeGreaterThan(truth.reduce((n, t) => n + t.statuses.length, 0));
    const http = (await (await fetch(`${sim.url}/_sim/truth`)).json()) as { data: unknown };
    expect(http.data).toEqual(JSON.parse(JSON.stringify(truth)));
  });

  it('duplicateRate also delivers an inbound message twice', async () => {
    const { sim, rx } = await setup({ chaos: { duplicateRate: 1 } });
    const { wamid } = await sim.injectInbound({ from: '16505551234', type: 'text', text: 'hi' });
    await waitFor(() => rx.messages().length === 2, 2000, 'two deliveries');
    expect(rx.messages().map((m) => m.message.id)).toEqual([wamid, wamid]);
    expect(rx.received).toHaveLength(2);
  });

  it('rejects rates outside [0, 1] from setChaos and PUT /_sim/chaos', async () => {
    const { sim } = await setup();
    expect(() => sim.setChaos({ duplicateRate: 2 })).toThrow(RangeError);
    const put = await fetch(`${sim.url}/_sim/chaos`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"outOfOrderRate":-1}' });
    expect(put.status).toBe(400);
    expect(sim.setChaos({ outOfOrderRate: 0.25 })).toMatchObject({ outOfOrderRate: 0.25, duplicateRate: 0 });
    expect(await (await fetch(`${sim.url}/_sim/chaos`)).json()).toMatchObject({ outOfOrderRate: 0.25 });
  });
});
