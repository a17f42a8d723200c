/**
 * @module store/message-store.conformance
 * The one suite every MessageStore adapter passes (the way hono runs one router suite against
 * every router), run from `test/conformance/storages.test.ts` on every storage of
 * `test/support/storages.ts`.
 *
 * Effects are observed where they commit: the changes a status made are recorded as jobs whose
 * `ref` is the `StateChange` itself, so a test sees what committed, not how often an adapter
 * asked `effectsOf` (a retried Postgres transaction may ask twice and commit once).
 */
import { expect } from 'vitest';
import type { OutboundMessage } from '../domain/message.js';
import { newMessageId } from '../domain/ids.js';
import { canTransition, STATE_RANK, type MessageState } from '../domain/status.js';
import type { Effects } from './effects.js';
import type { StateChange, StateChangeEffects } from './message-store.js';
import type { Storage } from './storage.js';
import { conformanceSuite, storageFor, takeCommittedJobs, takeOwedCallbacks, type StorageFixture } from './storage.conformance.js';

export function sampleMessage(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    id: newMessageId(),
    accountId: 'acme',
    msgId: `1|2|3|${Math.random().toString(36).slice(2)}`,
    to: '919999999999',
    wabaNumber: '919888888888',
    content: { kind: 'template', name: 'order_ready', language: 'en', bodyParams: ['Ana'], buttons: [] },
    acceptedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** The queue the suite's `effectsOf` records changes on (no worker reads it). */
const CHANGES = 'conformance-changes';
const SENDS = 'conformance-sends';

/** Commits the change it is given as a job, for `committedChanges` to read back. */
const recordChange: StateChangeEffects = (change) => ({ jobs: [{ queue: CHANGES, partitionKey: 'all', ref: JSON.stringify(change), runAt: 0 }] });

/** The changes committed (through `recordChange`) since the last look, in commit order. */
async function committedChanges(storage: Storage): Promise<StateChange[]> {
  return (await takeCommittedJobs(storage, CHANGES, 'all')).map((job) => JSON.parse(job.ref) as StateChange);
}

/** A send job for `message`, as the acceptor would commit with it. */
function sendJob(message: OutboundMessage): Effects {
  return { jobs: [{ queue: SENDS, partitionKey: message.accountId, ref: message.id }] };
}

const failWith = (message: string): StateChangeEffects => () => {
  throw new Error(message);
};

export function runMessageStoreConformance(fixture: StorageFixture): void {
  conformanceSuite('MessageStore', fixture, (test) => {
    const under = storageFor(fixture);

    test('stores accepted messages and reads them back intact', async () => {
      const { messages } = under.storage;
      const message = sampleMessage({ customProps: { k: 'v' }, callbacks: { deliveryReportUrl: 'https://ct.example/dlr' } });
      const [result] = await messages.acceptMessages([{ message }]);
      expect(result).toEqual({ id: message.id, duplicate: false });
      const stored = await messages.getMessage(message.id);
      expect(stored).toMatchObject({ ...message, state: 'accepted' });
      expect(stored?.wamid).toBeUndefined();
      expect(await messages.getMessage('nope')).toBeUndefined();
    });

    test('treats a repeated (account, msgId, to) as a duplicate of the first, within and across batches', async () => {
      const { messages } = under.storage;
      const first = sampleMessage();
      const again = { ...first, id: newMessageId() };
      const otherRecipient = { ...first, id: newMessageId(), to: '919999999990' };
      const results = await messages.acceptMessages([{ message: first }, { message: again }, { message: otherRecipient }]);
      expect(results).toEqual([
        { id: first.id, duplicate: false },
        { id: first.id, duplicate: true },
        { id: otherRecipient.id, duplicate: false },
      ]);
      const later = await messages.acceptMessages([{ message: { ...first, id: newMessageId() } }]);
      expect(later).toEqual([{ id: first.id, duplicate: true }]);
      expect(await messages.getMessage(again.id)).toBeUndefined();
    });

    test('commits the effects of new messages only, with them', async () => {
      const storage = under.storage;
      const a = sampleMessage();
      const b = sampleMessage({ callbacks: { deliveryReportUrl: 'https://ct.example/dlr' } });
      const duplicate = { ...a, id: newMessageId() };
      const link = (code: string, message: OutboundMessage) => ({ code, accountId: message.accountId, messageId: message.id, msgId: message.msgId, url: 'https://shop.example/p', createdAt: 1000 });
      await storage.messages.acceptMessages([
        { message: a, effects: { ...sendJob(a), clickLinks: [link('codeA00001', a)] } },
        { message: duplicate, effects: { ...sendJob(duplicate), clickLinks: [link('codeDUP001', duplicate)], callbacks: [{ accountId: 'acme', kind: 'dlr', url: 'https://ct.example/dup', payload: '{}' }] } },
        { message: b, effects: { ...sendJob(b), callbacks: [{ accountId: 'acme', kind: 'dlr', url: 'https://ct.example/dlr', msgId: b.msgId, payload: '{"b":1}' }] } },
        { message: sampleMessage() },
      ]);
      expect((await takeCommittedJobs(storage, SENDS, 'acme')).map((job) => job.ref)).toEqual([a.id, b.id]);
      expect(await storage.clickLinks.get('codeA00001')).toMatchObject({ messageId: a.id });
      expect(await storage.clickLinks.get('codeDUP001')).toBeUndefined();
      expect(await takeOwedCallbacks(storage, 'https://ct.example/dup')).toEqual([]);
      expect(await takeOwedCallbacks(storage, 'https://ct.example/dlr')).toMatchObject([{ msgId: b.msgId, payload: '{"b":1}' }]);
      // A repeat of the whole batch is all duplicates: nothing more commits.
      await storage.messages.acceptMessages([{ message: { ...b, id: newMessageId() }, effects: sendJob(b) }]);
      expect(await takeCommittedJobs(storage, SENDS, 'acme')).toEqual([]);
    });

    test('rolls the whole batch back when one of its effects cannot be written', async () => {
      const storage = under.storage;
      const taken = sampleMessage();
      const link = (message: OutboundMessage) => ({ code: 'takencode1', accountId: 'acme', messageId: message.id, msgId: message.msgId, url: 'https://shop.example/p', createdAt: 1000 });
      await storage.messages.acceptMessages([{ message: taken, effects: { clickLinks: [link(taken)] } }]);
      const innocent = sampleMessage();
      const clashing = sampleMessage();
      await expect(
        storage.messages.acceptMessages([
          { message: innocent, effects: sendJob(innocent) },
          { message: clashing, effects: { ...sendJob(clashing), clickLinks: [link(clashing)] } },
        ]),
      ).rejects.toThrow();
      expect(await storage.messages.getMessage(innocent.id)).toBeUndefined();
      expect(await storage.messages.getMessage(clashing.id)).toBeUndefined();
      expect(await takeCommittedJobs(storage, SENDS, 'acme')).toEqual([]);
      expect(await storage.clickLinks.get('takencode1')).toMatchObject({ messageId: taken.id });
    });

    test('records the wamid and finds the lifecycle by it or by id', async () => {
      const { messages } = under.storage;
      const message = sampleMessage();
      await messages.acceptMessages([{ message }]);
      await messages.recordSubmitted(message.id, 'wamid.ABC', 1_700_000_000_500);
      expect(await messages.getMessage(message.id)).toMatchObject({ state: 'submitted', wamid: 'wamid.ABC', submittedAt: 1_700_000_000_500 });
      const lifecycle = { id: message.id, accountId: 'acme', msgId: message.msgId, wamid: 'wamid.ABC', state: 'submitted' };
      expect(await messages.getLifecycle({ wamid: 'wamid.ABC' })).toEqual(lifecycle);
      expect(await messages.getLifecycle({ id: message.id })).toEqual(lifecycle);
      expect(await messages.getLifecycle({ id: 'nope' })).toBeUndefined();
      expect(await messages.getLifecycle({ wamid: 'wamid.nope' })).toBeUndefined();
    });

    test('only moves states forward, keeping the first timestamp of each', async () => {
      const { messages } = under.storage;
      const message = sampleMessage();
      await messages.acceptMessages([{ message }]);
      expect(await messages.advanceState(message.id, 'delivered', 2000, { wamid: 'wamid.X' })).toBe(true);
      expect(await messages.advanceState(message.id, 'sent', 3000)).toBe(false);
      expect(await messages.advanceState(message.id, 'read', 4000)).toBe(true);
      expect(await messages.advanceState(message.id, 'failed', 5000, { failure: { reason: 'other', title: 'x' } })).toBe(false);
      const stored = await messages.getMessage(message.id);
      expect(stored).toMatchObject({ state: 'read', wamid: 'wamid.X', deliveredAt: 2000, readAt: 4000 });
      expect(stored?.sentAt).toBeUndefined();
      expect(stored?.failure).toBeUndefined();
      expect(await messages.advanceState('nope', 'sent', 1000)).toBe(false);
    });

    test('keeps a failure with its reason', async () => {
      const { messages } = under.storage;
      const message = sampleMessage();
      await messages.acceptMessages([{ message }]);
      const failure = { reason: 'device_incapable' as const, metaCode: 131026, title: 'Message Undeliverable' };
      expect(await messages.advanceState(message.id, 'failed', 2000, { failure })).toBe(true);
      expect(await messages.getMessage(message.id)).toMatchObject({ state: 'failed', failure, failedAt: 2000 });
    });

    test('commits the effects of advanceState only when the message moved', async () => {
      const storage = under.storage;
      const message = sampleMessage({ callbacks: { deliveryReportUrl: 'https://ct.example/dlr' } });
      await storage.messages.acceptMessages([{ message }]);
      const failure = { reason: 'other' as const, metaCode: 131000, title: 'Something went wrong' };
      expect(await storage.messages.advanceState(message.id, 'sent', 2000, {}, recordChange)).toBe(true);
      expect(await storage.messages.advanceState(message.id, 'submitted', 2500, {}, recordChange)).toBe(false);
      expect(await storage.messages.advanceState(message.id, 'sent', 2600, {}, recordChange)).toBe(false);
      expect(await storage.messages.advanceState(message.id, 'failed', 3000, { failure }, recordChange)).toBe(true);
      expect(await storage.messages.advanceState('nope', 'sent', 3000, {}, recordChange)).toBe(false);
      // An effectsOf with nothing to say is fine.
      const quiet = sampleMessage();
      await storage.messages.acceptMessages([{ message: quiet }]);
      expect(await storage.messages.advanceState(quiet.id, 'sent', 3000, {}, () => undefined)).toBe(true);
      const callbacks = { deliveryReportUrl: 'https://ct.example/dlr' };
      expect(await committedChanges(storage)).toEqual([
        { id: message.id, accountId: 'acme', msgId: message.msgId, previous: 'accepted', state: 'sent', at: 2000, callbacks },
        { id: message.id, accountId: 'acme', msgId: message.msgId, previous: 'sent', state: 'failed', at: 3000, failure, callbacks },
      ]);
    });

    test('rolls a state change back when its effectsOf throws', async () => {
      const storage = under.storage;
      const message = sampleMessage();
      await storage.messages.acceptMessages([{ message }]);
      await expect(storage.messages.advanceState(message.id, 'sent', 2000, { wamid: 'wamid.R' }, failWith('no effects'))).rejects.toThrow('no effects');
      await expect(storage.messages.applyStatus({ id: message.id, accountId: 'acme', wamid: 'wamid.R' }, 'delivered', 3000, undefined, failWith('no effects either'))).rejects.toThrow(
        'no effects either',
      );
      const stored = await storage.messages.getMessage(message.id);
      expect(stored).toMatchObject({ state: 'accepted' });
      expect(stored?.wamid).toBeUndefined();
      expect(stored?.sentAt).toBeUndefined();
      expect(await storage.messages.getLifecycle({ wamid: 'wamid.R' })).toBeUndefined();
      // The message still moves once the effects can be written.
      expect(await storage.messages.applyStatus({ id: message.id, accountId: 'acme', wamid: 'wamid.R' }, 'delivered', 3000, undefined, recordChange)).toBe('applied');
      expect(await committedChanges(storage)).toEqual([{ id: message.id, accountId: 'acme', msgId: message.msgId, previous: 'accepted', state: 'delivered', at: 3000 }]);
    });

    test('a throwing effectsOf rolls back its own change only, not those issued with it', async () => {
      // SQLite commits concurrent writes together (group commit); the others must survive one that fails.
      const storage = under.storage;
      const batch = Array.from({ length: 4 }, () => sampleMessage());
      await storage.messages.acceptMessages(batch.map((message) => ({ message })));
      const [a, doomed, b, c] = batch;
      const results = await Promise.allSettled([
        storage.messages.advanceState(a!.id, 'sent', 2000, {}, recordChange),
        storage.messages.advanceState(doomed!.id, 'sent', 2000, {}, failWith('doomed')),
        storage.messages.applyStatus({ accountId: 'acme', id: b!.id, wamid: 'wamid.b' }, 'delivered', 2000, undefined, recordChange),
        storage.messages.applyStatus({ accountId: 'acme', id: c!.id, wamid: 'wamid.c' }, 'read', 2000, undefined, recordChange),
      ]);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(await storage.messages.getMessage(doomed!.id)).toMatchObject({ state: 'accepted' });
      expect((await committedChanges(storage)).map((change) => [change.id, change.state]).sort()).toEqual(
        [
          [a!.id, 'sent'],
          [b!.id, 'delivered'],
          [c!.id, 'read'],
        ].sort(),
      );
    });

    test('applies a status to the message it names: by our id for the owning account, else by wamid', async () => {
      const storage = under.storage;
      const { messages } = storage;
      const message = sampleMessage();
      const other = sampleMessage({ accountId: 'other' });
      await messages.acceptMessages([{ message }, { message: other }]);
      await messages.recordSubmitted(message.id, 'wamid.A', 1000);
      // By our id: the message had no wamid yet, so the status records it (an uncertain send proved).
      expect(await messages.applyStatus({ id: other.id, accountId: 'other', wamid: 'wamid.B' }, 'sent', 2000, undefined, recordChange)).toBe('applied');
      expect(await messages.getLifecycle({ wamid: 'wamid.B' })).toMatchObject({ id: other.id, state: 'sent' });
      // Our id for another account's message is not trusted: the wamid decides.
      expect(await messages.applyStatus({ id: other.id, accountId: 'acme', wamid: 'wamid.A' }, 'delivered', 3000, undefined, recordChange)).toBe('applied');
      expect(await messages.getMessage(other.id)).toMatchObject({ state: 'sent' });
      expect(await messages.getMessage(message.id)).toMatchObject({ state: 'delivered', wamid: 'wamid.A', deliveredAt: 3000, submittedAt: 1000 });
      // Replays and stragglers change nothing; unknown messages are reported as such.
      expect(await messages.applyStatus({ accountId: 'acme', wamid: 'wamid.A' }, 'sent', 4000, undefined, recordChange)).toBe('stale');
      expect(await messages.applyStatus({ accountId: 'acme', wamid: 'wamid.A' }, 'delivered', 4000, undefined, recordChange)).toBe('stale');
      expect(await messages.applyStatus({ id: 'nope', accountId: 'acme', wamid: 'wamid.nope' }, 'read', 4000, undefined, recordChange)).toBe('unknown-message');
      const failure = { reason: 'other' as const, metaCode: 131000, title: 'Something went wrong' };
      expect(await messages.applyStatus({ accountId: 'other', wamid: 'wamid.B' }, 'failed', 5000, failure, recordChange)).toBe('applied');
      expect(await messages.getMessage(other.id)).toMatchObject({ state: 'failed', failure, failedAt: 5000, sentAt: 2000 });
      expect(await committedChanges(storage)).toEqual([
        { id: other.id, accountId: 'other', msgId: other.msgId, previous: 'accepted', state: 'sent', at: 2000 },
        { id: message.id, accountId: 'acme', msgId: message.msgId, previous: 'submitted', state: 'delivered', at: 3000 },
        { id: other.id, accountId: 'other', msgId: other.msgId, previous: 'sent', state: 'failed', at: 5000, failure },
      ]);
    });

    test('moves only a message of the account a status is for, whichever wamid or id it names', async () => {
      const storage = under.storage;
      const { messages } = storage;
      const ours = sampleMessage({ accountId: 'acme' });
      const theirs = sampleMessage({ accountId: 'other' });
      await messages.acceptMessages([{ message: ours }, { message: theirs }]);
      await messages.recordSubmitted(ours.id, 'wamid.OURS', 1000);
      await messages.recordSubmitted(theirs.id, 'wamid.THEIRS', 1000);
      const failure = { reason: 'other' as const, metaCode: 131000, title: 'Something went wrong' };
      // acme names other's wamid, then other's id with other's wamid: neither moves other's message.
      expect(await messages.applyStatus({ accountId: 'acme', wamid: 'wamid.THEIRS' }, 'failed', 2000, failure, recordChange)).toBe('unknown-message');
      expect(await messages.applyStatus({ accountId: 'acme', id: theirs.id, wamid: 'wamid.THEIRS' }, 'failed', 2000, failure, recordChange)).toBe('unknown-message');
      // Other's id with acme's own wamid: the id is not trusted, the wamid (acme's) decides.
      expect(await messages.applyStatus({ accountId: 'acme', id: theirs.id, wamid: 'wamid.OURS' }, 'delivered', 2500, undefined, recordChange)).toBe('applied');
      expect(await messages.getMessage(theirs.id)).toMatchObject({ state: 'submitted' });
      expect(await messages.getMessage(ours.id)).toMatchObject({ state: 'delivered' });
      // The owner's own status still applies.
      expect(await messages.applyStatus({ accountId: 'other', wamid: 'wamid.THEIRS' }, 'read', 3000, undefined, recordChange)).toBe('applied');
      expect((await committedChanges(storage)).map((change) => [change.accountId, change.state])).toEqual([
        ['acme', 'delivered'],
        ['other', 'read'],
      ]);
    });

    test('statuses applied at once, in any commit order, move each message forward one chain of changes', async () => {
      // A pool commits concurrent writes in any order, so what holds is not which call won but:
      // the final state is the highest one, every committed change moves forward from where the
      // one before left the message, and together they cover each stage once (the reports owed).
      const storage = under.storage;
      const url = 'https://ct.example/dlr';
      const targets = Array.from({ length: 3 }, () => sampleMessage({ callbacks: { deliveryReportUrl: url } }));
      await storage.messages.acceptMessages(targets.map((message) => ({ message })));
      for (const [index, message] of targets.entries()) await storage.messages.recordSubmitted(message.id, `wamid.C${index}`, 1000);
      const statuses: MessageState[] = ['read', 'delivered', 'sent', 'sent', 'read', 'delivered'];
      const outcomes = await Promise.all(
        targets.flatMap((_, index) =>
          statuses.map((state, at) => storage.messages.applyStatus({ accountId: 'acme', wamid: `wamid.C${index}` }, state, 2000 + at, undefined, recordChange)),
        ),
      );
      expect(outcomes.every((outcome) => outcome === 'applied' || outcome === 'stale')).toBe(true);
      const changes = await committedChanges(storage);
      expect(changes).toHaveLength(outcomes.filter((outcome) => outcome === 'applied').length);
      for (const message of targets) {
        const chain = changes.filter((change) => change.id === message.id).sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state]);
        expect(chain[0]?.previous).toBe('submitted');
        expect(chain.at(-1)?.state).toBe('read');
        // Of the two reads, the one that committed first set the time.
        expect(await storage.messages.getMessage(message.id)).toMatchObject({ state: 'read', readAt: chain.at(-1)!.at });
        for (const [index, change] of chain.entries()) {
          expect(canTransition(change.previous, change.state)).toBe(true);
          if (index > 0) expect(change.previous).toBe(chain[index - 1]!.state);
          expect(change).toMatchObject({ accountId: 'acme', msgId: message.msgId, callbacks: { deliveryReportUrl: url } });
        }
      }
    });

    test('counts messages by account and state', async () => {
      const { messages } = under.storage;
      const a = sampleMessage();
      const b = sampleMessage();
      await messages.acceptMessages([{ message: a }, { message: b }, { message: sampleMessage({ accountId: 'other' }) }]);
      await messages.advanceState(b.id, 'sent', 1);
      expect(await messages.countByState()).toEqual(
        expect.arrayContaining([
          { accountId: 'acme', state: 'accepted', count: 1 },
          { accountId: 'acme', state: 'sent', count: 1 },
          { accountId: 'other', state: 'accepted', count: 1 },
        ]),
      );
      expect((await messages.countByState()).reduce((sum, row) => sum + row.count, 0)).toBe(3);
    });
  });
}
