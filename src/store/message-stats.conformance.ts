/**
 * @module store/message-stats.conformance
 * The one suite every MessageStats adapter passes, run from `test/conformance/storages.test.ts`:
 * the funnel of a cohort (each message at the furthest it got, replies and clicks included),
 * filtered by account, campaign and time; rates in buckets; failures by Meta's code with its
 * title; the latest campaigns with their funnels.
 */
import { expect } from 'vitest';
import type { OutboundMessage } from '../domain/message.js';
import { sampleMessage } from './message-store.conformance.js';
import { conformanceSuite, storageFor, type StorageFixture } from './storage.conformance.js';

const T0 = 1_700_000_000_000;
const DLR_URL = 'https://ct.example/dlr';

export function runMessageStatsConformance(fixture: StorageFixture): void {
  conformanceSuite('MessageStats', fixture, (test) => {
    const under = storageFor(fixture);

    /**
     * 10 messages, one a second from T0: acme's campaign `spring` (0–5), acme's `summer` (6–7),
     * beta's `spring` (8–9). Furthest states: 0 read (replied to, and clicked), 1 read, 2
     * delivered, 3 sent, 4 failed 131026, 5 accepted; 6 failed 131026, 7 failed 131048 after
     * being sent; 8 read (replied to), 9 submitted. Message 0 carries a tracked link.
     */
    async function seed(): Promise<OutboundMessage[]> {
      const { messages, inbound, outbox } = under.storage;
      const campaign = (i: number) => (i <= 5 || i >= 8 ? 'spring' : 'summer');
      const batch = Array.from({ length: 10 }, (_, i) =>
        sampleMessage({ accountId: i >= 8 ? 'beta' : 'acme', msgId: `${i}|${campaign(i)}|20240101|${i}`, to: `91999999990${i}`, acceptedAt: T0 + i * 1000 }),
      );
      await messages.acceptMessages(
        batch.map((message, i) => ({
          message,
          ...(i === 0 ? { effects: { clickLinks: [{ code: 'abc123', accountId: 'acme', messageId: message.id, msgId: message.msgId, url: 'https://shop.example', createdAt: T0 }] } } : {}),
        })),
      );
      const at = (i: number, seconds: number) => T0 + i * 1000 + seconds * 1000;
      const submit = (i: number) => messages.recordSubmitted(batch[i]!.id, `wamid.${i}`, at(i, 0.5), 120);
      for (const i of [0, 1, 2, 3, 7, 8, 9]) await submit(i);
      // Message 1 is read without a delivered webhook; 8 is read without a sent one.
      for (const [i, state] of [[0, 'sent'], [0, 'delivered'], [0, 'read'], [1, 'sent'], [1, 'read'], [2, 'sent'], [2, 'delivered'], [3, 'sent'], [7, 'sent'], [8, 'delivered'], [8, 'read']] as const) {
        await messages.advanceState(batch[i]!.id, state, at(i, 2));
      }
      await messages.advanceState(batch[4]!.id, 'failed', at(4, 1), { failure: { reason: 'invalid_phone', metaCode: 131026, title: 'Message undeliverable' } });
      await messages.advanceState(batch[6]!.id, 'failed', at(6, 1), { failure: { reason: 'invalid_phone', metaCode: 131026, title: 'Message undeliverable' } });
      await messages.advanceState(batch[7]!.id, 'failed', at(7, 3), { failure: { reason: 'rate_limited', metaCode: 131048, title: 'Spam rate limit hit' } });
      // Replies: to 0 (twice: counted once) and to 8; one with no context, one naming a msgId not stored.
      await inbound.record({ wamid: 'wamid.in.1', accountId: 'acme', sender: batch[0]!.to, contextMsgId: batch[0]!.msgId, receivedAt: at(0, 60) });
      await inbound.record({ wamid: 'wamid.in.2', accountId: 'acme', sender: batch[0]!.to, contextMsgId: batch[0]!.msgId, receivedAt: at(0, 61) });
      await inbound.record({ wamid: 'wamid.in.3', accountId: 'beta', sender: batch[8]!.to, contextMsgId: batch[8]!.msgId, receivedAt: at(8, 60) });
      await inbound.record({ wamid: 'wamid.in.4', accountId: 'acme', sender: batch[1]!.to, receivedAt: at(1, 60) });
      await inbound.record({ wamid: 'wamid.in.5', accountId: 'acme', sender: batch[1]!.to, contextMsgId: '99|spring|x|y', receivedAt: at(1, 61) });
      // A tap on message 0's link, and a `read` report about message 1 (not a click).
      const report = (i: number, status: string) => ({ accountId: 'acme', kind: 'dlr' as const, url: DLR_URL, msgId: batch[i]!.msgId, messageRef: batch[i]!.id, payload: JSON.stringify({ msgId: batch[i]!.msgId, status, at: at(i, 90) }) });
      await outbox.owe([report(0, 'clicked'), report(1, 'read')]);
      return batch;
    }

    test('the funnel counts each message of the cohort at the furthest it got, with replies and clicks', async () => {
      await seed();
      const { funnel } = await under.storage.stats.overview({ from: T0, to: T0 + 10_000, bucketMs: 10_000 });
      expect(funnel).toEqual({ accepted: 10, sent: 6, delivered: 4, read: 3, failed: 3, replied: 2, clicked: 1 });
    });

    test('filters by account, campaign and acceptance time', async () => {
      await seed();
      const { stats } = under.storage;
      const funnelOf = async (query: { accountId?: string; campaign?: string; from?: number; to?: number }) =>
        (await stats.overview({ from: query.from ?? T0, to: query.to ?? T0 + 10_000, bucketMs: 1000, ...query })).funnel;
      expect(await funnelOf({ accountId: 'acme' })).toEqual({ accepted: 8, sent: 5, delivered: 3, read: 2, failed: 3, replied: 1, clicked: 1 });
      expect(await funnelOf({ campaign: 'spring' })).toEqual({ accepted: 8, sent: 5, delivered: 4, read: 3, failed: 1, replied: 2, clicked: 1 });
      expect(await funnelOf({ accountId: 'acme', campaign: 'spring' })).toEqual({ accepted: 6, sent: 4, delivered: 3, read: 2, failed: 1, replied: 1, clicked: 1 });
      expect(await funnelOf({ accountId: 'beta', campaign: 'summer' })).toEqual({ accepted: 0, sent: 0, delivered: 0, read: 0, failed: 0, replied: 0, clicked: 0 });
      // Messages 1..3 only: message 0's reply and click belong to a message outside the range.
      expect(await funnelOf({ from: T0 + 1000, to: T0 + 4000 })).toEqual({ accepted: 3, sent: 3, delivered: 2, read: 1, failed: 0, replied: 0, clicked: 0 });
      expect(await funnelOf({ accountId: 'nobody' })).toEqual({ accepted: 0, sent: 0, delivered: 0, read: 0, failed: 0, replied: 0, clicked: 0 });
    });

    test('buckets acceptances by acceptance time and sends by when Meta took them, empty buckets included', async () => {
      await seed();
      // Buckets of 2 s from T0 + 1 s: messages 1–2, 3–4, 5–6, 7–8, 9, then nothing; each send half a second after acceptance.
      const { series, funnel } = await under.storage.stats.overview({ from: T0 + 1000, to: T0 + 13_000, bucketMs: 2000 });
      expect(series.map((bucket) => bucket.at)).toEqual([1, 3, 5, 7, 9, 11].map((second) => T0 + second * 1000));
      expect(series.map((bucket) => bucket.accepted)).toEqual([2, 2, 2, 2, 1, 0]);
      // Sends: 1, 2, 3 | 7, 8 | 9 (message 0 was sent before the range: not in its rate, nor its cohort).
      expect(series.map((bucket) => bucket.sent)).toEqual([2, 1, 0, 2, 1, 0]);
      expect(funnel.accepted).toBe(9);
    });

    test('a send later than the range start is counted in its bucket even when its message was accepted before it', async () => {
      const { messages, stats } = under.storage;
      const message = sampleMessage({ acceptedAt: T0 });
      await messages.acceptMessages([{ message }]);
      await messages.recordSubmitted(message.id, 'wamid.late', T0 + 65_000, 300);
      const { series, funnel } = await stats.overview({ from: T0 + 60_000, to: T0 + 120_000, bucketMs: 10_000 });
      expect(series.map((bucket) => bucket.sent)).toEqual([1, 0, 0, 0, 0, 0]);
      expect(funnel.accepted).toBe(0);
    });

    test('lists failures by Meta code with its title, most frequent first', async () => {
      await seed();
      const { stats } = under.storage;
      expect(await stats.failures({})).toEqual([
        { code: '131026', metaCode: 131026, reason: 'invalid_phone', title: 'Message undeliverable', count: 2 },
        { code: '131048', metaCode: 131048, reason: 'rate_limited', title: 'Spam rate limit hit', count: 1 },
      ]);
      expect(await stats.failures({ campaign: 'summer', from: T0 + 7000 })).toEqual([{ code: '131048', metaCode: 131048, reason: 'rate_limited', title: 'Spam rate limit hit', count: 1 }]);
      expect(await stats.failures({ accountId: 'beta' })).toEqual([]);
    });

    test('a failure without a Meta code is listed by the gateway reason', async () => {
      const { messages, stats } = under.storage;
      const message = sampleMessage({ acceptedAt: T0 });
      await messages.acceptMessages([{ message }]);
      await messages.advanceState(message.id, 'failed', T0 + 1, { failure: { reason: 'outside_window', title: 'outside the 24-hour window' } });
      expect(await stats.failures({})).toEqual([{ code: 'outside_window', reason: 'outside_window', title: 'outside the 24-hour window', count: 1 }]);
    });

    test('lists campaigns most recently active first, each with its funnel, per account and in a range', async () => {
      await seed();
      const { stats } = under.storage;
      const all = await stats.campaigns({ limit: 10 });
      expect(all.map((row) => [row.accountId, row.campaign])).toEqual([
        ['beta', 'spring'],
        ['acme', 'summer'],
        ['acme', 'spring'],
      ]);
      expect(all[2]).toEqual({ campaign: 'spring', accountId: 'acme', firstAcceptedAt: T0, lastAcceptedAt: T0 + 5000, funnel: { accepted: 6, sent: 4, delivered: 3, read: 2, failed: 1 } });
      expect(all[1]!.funnel).toEqual({ accepted: 2, sent: 1, delivered: 0, read: 0, failed: 2 });
      expect((await stats.campaigns({ accountId: 'acme', limit: 1 })).map((row) => row.campaign)).toEqual(['summer']);
      expect((await stats.campaigns({ accountId: 'acme', from: T0 + 2000, to: T0 + 4000, limit: 10 }))[0]).toMatchObject({ campaign: 'spring', firstAcceptedAt: T0 + 2000, lastAcceptedAt: T0 + 3000, funnel: { accepted: 2 } });
    });
  });
}
