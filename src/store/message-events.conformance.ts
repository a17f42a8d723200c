/**
 * @module store/message-events.conformance
 * The one suite every MessageEvents adapter passes, run from `test/conformance/storages.test.ts`.
 * Events are written the ways the gateway writes them (appended beside other writes, as effects
 * of a change, by the store for a status that moved nothing, with a failed callback attempt), and
 * the timeline's other sources (the row's Graph latency, the callbacks about a message with their
 * answers, the pre-flight outcome and campaign kept at acceptance) are read back as written.
 */
import { expect } from 'vitest';
import type { CallbackSpec } from './callback-outbox.js';
import { sampleMessage } from './message-store.conformance.js';
import { messageTimeline } from './message-timeline.js';
import { conformanceSuite, storageFor, takeOwedCallbacks, type StorageFixture } from './storage.conformance.js';

const DLR_URL = 'https://ct.example/dlr';
const IMO_URL = 'https://ct.example/imo';

export function runMessageEventsConformance(fixture: StorageFixture): void {
  conformanceSuite('MessageEvents', fixture, (test) => {
    const under = storageFor(fixture);

    test('appends events and lists a message\'s own, in the order written, every field kept', async () => {
      const { messages, events } = under.storage;
      const [one, other] = [sampleMessage(), sampleMessage()];
      await messages.acceptMessages([{ message: one }, { message: other }]);
      await Promise.all([
        events.append([{ messageId: one.id, at: 2000, kind: 'graph', httpStatus: 400, code: 131026, title: 'Message undeliverable', latencyMs: 42 }]),
        events.append([{ messageId: other.id, at: 2001, kind: 'graph', title: 'connect ECONNREFUSED', latencyMs: 3 }]),
      ]);
      await events.append([{ messageId: one.id, at: 1000, kind: 'callback', httpStatus: 503, title: 'HTTP 503: busy', latencyMs: 7, url: DLR_URL }]);
      expect(await events.list(one.id)).toEqual([
        { messageId: one.id, at: 2000, kind: 'graph', httpStatus: 400, code: 131026, title: 'Message undeliverable', latencyMs: 42 },
        { messageId: one.id, at: 1000, kind: 'callback', httpStatus: 503, title: 'HTTP 503: busy', latencyMs: 7, url: DLR_URL },
      ]);
      expect(await events.list(other.id)).toEqual([{ messageId: other.id, at: 2001, kind: 'graph', title: 'connect ECONNREFUSED', latencyMs: 3 }]);
      expect(await events.list('nope')).toEqual([]);
    });

    test('events given as effects commit with their change, and not without it', async () => {
      const { messages, events } = under.storage;
      const message = sampleMessage();
      await messages.acceptMessages([{ message }]);
      const failure = { reason: 'invalid_phone' as const, metaCode: 131026, title: 'Message undeliverable' };
      const event = { messageId: message.id, at: 3000, kind: 'graph' as const, httpStatus: 400, code: 131026, title: 'Message undeliverable' };
      expect(await messages.advanceState(message.id, 'failed', 3000, { failure }, () => ({ events: [event] }))).toBe(true);
      // A change that does not happen writes none of its effects.
      expect(await messages.advanceState(message.id, 'failed', 4000, { failure }, () => ({ events: [{ ...event, at: 4000 }] }))).toBe(false);
      expect(await events.list(message.id)).toEqual([event]);
    });

    test('a status that moves nothing is kept as an ignored status; one that moves the message is not an event', async () => {
      const { messages, events } = under.storage;
      const message = sampleMessage();
      await messages.acceptMessages([{ message }]);
      const target = { id: message.id, accountId: 'acme', wamid: 'wamid.E1' };
      expect(await messages.applyStatus(target, 'read', 5000)).toBe('applied');
      expect(await messages.applyStatus(target, 'delivered', 4000)).toBe('stale');
      expect(await messages.applyStatus(target, 'failed', 6000, { reason: 'other', metaCode: 131000, title: 'Something went wrong' })).toBe('stale');
      expect(await events.list(message.id)).toEqual([
        { messageId: message.id, at: 4000, kind: 'status', state: 'delivered' },
        { messageId: message.id, at: 6000, kind: 'status', state: 'failed', code: 131000, title: 'Something went wrong' },
      ]);
    });

    test('keeps the Graph answer\'s latency, the pre-flight outcome and the campaign on the message', async () => {
      const { messages } = under.storage;
      const template = sampleMessage({ msgId: '25596363|1639561857|20220227|25596363' });
      const plain = sampleMessage({ msgId: 'no-campaign-here' });
      await messages.acceptMessages([{ message: template, preflight: 'repaired' }, { message: plain }]);
      await messages.recordSubmitted(template.id, 'wamid.L1', 7000, 184);
      expect(await messages.getMessage(template.id)).toMatchObject({ campaign: '1639561857', preflight: 'repaired', submittedAt: 7000, submitLatencyMs: 184, wamid: 'wamid.L1' });
      const stored = await messages.getMessage(plain.id);
      expect(stored?.campaign).toBeUndefined();
      expect(stored?.preflight).toBeUndefined();
      expect(stored?.submitLatencyMs).toBeUndefined();
    });

    test('lists the callbacks about a message with how each attempt was answered; failed attempts are events of the message', async () => {
      const storage = under.storage;
      const message = sampleMessage();
      await storage.messages.acceptMessages([{ message }]);
      const report = (status: string): CallbackSpec => ({ accountId: 'acme', kind: 'dlr', url: DLR_URL, msgId: message.msgId, payload: JSON.stringify({ msgId: message.msgId, status, at: 1 }), messageRef: message.id });
      await storage.messages.applyStatus({ id: message.id, accountId: 'acme', wamid: 'wamid.C1' }, 'sent', 1000, undefined, () => ({ callbacks: [report('sent')] }));
      await storage.outbox.owe([report('clicked'), { accountId: 'acme', kind: 'dlr', url: DLR_URL, msgId: 'another', payload: '{}' }]);
      const [sent, clicked, unrelated] = await takeOwedCallbacks(storage, DLR_URL);
      await storage.outbox.markFailed([sent!.id, clicked!.id, unrelated!.id], 'HTTP 503: busy', { httpStatus: 503, latencyMs: 12, at: 8000 });
      await storage.outbox.markDelivered([sent!.id], 9000, { httpStatus: 200, latencyMs: 9 });
      await storage.outbox.markDead([clicked!.id], 9500);

      const about = await storage.events.callbacksAbout(message.id);
      expect(about.map(({ id, payload, createdAt, ...rest }) => rest)).toEqual([
        { kind: 'dlr', url: DLR_URL, deliveredAt: 9000, httpStatus: 200, latencyMs: 9 },
        { kind: 'dlr', url: DLR_URL, httpStatus: 503, latencyMs: 12, lastError: 'HTTP 503: busy', deadAt: 9500 },
      ]);
      expect(about.map((callback) => callback.id)).toEqual([sent!.id, clicked!.id]);
      expect(JSON.parse(about[1]!.payload)).toMatchObject({ status: 'clicked' });
      // One event per failed report about this message (the unrelated callback names no message).
      expect(await storage.events.list(message.id)).toEqual([
        { messageId: message.id, at: 8000, kind: 'callback', httpStatus: 503, title: 'HTTP 503: busy', latencyMs: 12, url: DLR_URL },
        { messageId: message.id, at: 8000, kind: 'callback', httpStatus: 503, title: 'HTTP 503: busy', latencyMs: 12, url: DLR_URL },
      ]);
      // A failure recorded without an attempt (as before) writes no event.
      await storage.outbox.markFailed([sent!.id], 'again');
      expect(await storage.events.list(message.id)).toHaveLength(2);
    });

    test('an inbound message\'s callback is found by its wamid', async () => {
      const storage = under.storage;
      const imo: CallbackSpec = { accountId: 'acme', kind: 'imo', url: IMO_URL, payload: '{"text":"hi"}', messageRef: 'wamid.IN1' };
      await storage.inbound.record({ wamid: 'wamid.IN1', accountId: 'acme', sender: '919999999999', receivedAt: 1000 }, { callbacks: [imo] });
      const [callback] = await storage.events.callbacksAbout('wamid.IN1');
      expect(callback).toMatchObject({ kind: 'imo', url: IMO_URL, payload: '{"text":"hi"}' });
      expect(callback?.deliveredAt).toBeUndefined();
    });

    test('a message\'s events go with it when retention removes it', async () => {
      const { messages, events, retention } = under.storage;
      const [old, young] = [sampleMessage({ acceptedAt: 1000 }), sampleMessage({ acceptedAt: 1000 })];
      await messages.acceptMessages([{ message: old }, { message: young }]);
      await messages.advanceState(old.id, 'read', 2000);
      await events.append([
        { messageId: old.id, at: 1500, kind: 'graph', httpStatus: 500, code: 131000, title: 'Something went wrong' },
        { messageId: young.id, at: 1500, kind: 'graph', httpStatus: 500, code: 131000, title: 'Something went wrong' },
      ]);
      expect(await retention.pruneBatch('messages', 10_000, 100)).toBe(1);
      expect(await events.list(old.id)).toEqual([]);
      expect(await events.list(young.id)).toHaveLength(1);
    });

    test('the timeline of a message reads in the order things happened', async () => {
      const storage = under.storage;
      const message = sampleMessage({ acceptedAt: 1000 });
      await storage.messages.acceptMessages([{ message, preflight: 'passed' }]);
      await storage.events.append([{ messageId: message.id, at: 1100, kind: 'graph', httpStatus: 429, code: 130429, title: 'Rate limit hit', latencyMs: 5 }]);
      await storage.messages.recordSubmitted(message.id, 'wamid.T1', 1200, 30);
      const owe = (status: string) => () => ({
        callbacks: [{ accountId: 'acme', kind: 'dlr' as const, url: DLR_URL, msgId: message.msgId, payload: JSON.stringify({ msgId: message.msgId, status }), messageRef: message.id }],
      });
      for (const [state, at] of [['sent', 1300], ['delivered', 1400], ['read', 1500]] as const) {
        await storage.messages.applyStatus({ id: message.id, accountId: 'acme', wamid: 'wamid.T1' }, state, at, undefined, owe(state));
      }
      const [message0, events, callbacks] = await Promise.all([storage.messages.getMessage(message.id), storage.events.list(message.id), storage.events.callbacksAbout(message.id)]);
      const timeline = messageTimeline(message0!, events, callbacks);
      expect(timeline.slice(0, 6).map((entry) => [entry.kind, entry.outcome, entry.state ?? entry.httpStatus])).toEqual([
        ['accepted', 'stored', undefined],
        ['preflight', 'passed', undefined],
        ['graph', 'rejected', 429],
        ['graph', 'accepted', 200],
        ['status', 'applied', 'sent'],
        ['status', 'applied', 'delivered'],
      ]);
      expect(timeline.filter((entry) => entry.kind === 'callback').map((entry) => [entry.state, entry.outcome])).toEqual([
        ['sent', 'pending'],
        ['delivered', 'pending'],
        ['read', 'pending'],
      ]);
    });
  });
}
