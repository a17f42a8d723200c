/**
 * @module store/retention.conformance
 * The one suite every RetentionStore adapter passes. Records are made through the other ports
 * (messages, outbox, queue, inbound log, click links) on the same storage, so the suite checks
 * what retention removes as the rest of the gateway sees it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobQueue } from '../queue/job-queue.js';
import type { CallbackOutbox } from './callback-outbox.js';
import type { ClickLinkStore } from './click-links.js';
import type { InboundLog } from './inbound-log.js';
import { sampleMessage } from './message-store.conformance.js';
import type { MessageStore } from './message-store.js';
import type { RetentionStore } from './retention.js';

export interface RetentionStores {
  retention: RetentionStore;
  messages: MessageStore;
  outbox: CallbackOutbox;
  queue: JobQueue;
  inbound: InboundLog;
  clickLinks: ClickLinkStore;
  close(): Promise<void>;
}

export interface RetentionFixture {
  name: string;
  create(): Promise<RetentionStores>;
}

const T0 = 1_700_000_000_000;
const LONG_AGO = T0 + 1_000;
const CUTOFF = T0 + 10_000;
const RECENTLY = T0 + 20_000;

export function runRetentionConformance(fixture: RetentionFixture): void {
  describe(`RetentionStore conformance: ${fixture.name}`, () => {
    let stores: RetentionStores;
    beforeEach(async () => {
      stores = await fixture.create();
    });
    afterEach(async () => stores.close());

    it('forgets messages in a final state untouched since the cutoff, and no others', async () => {
      const read = sampleMessage({ acceptedAt: T0 });
      const failed = sampleMessage({ acceptedAt: T0 });
      const stillQueued = sampleMessage({ acceptedAt: T0 });
      const readRecently = sampleMessage({ acceptedAt: T0 });
      await stores.messages.acceptMessages([read, failed, stillQueued, readRecently]);
      await stores.messages.advanceState(read.id, 'read', LONG_AGO);
      await stores.messages.advanceState(failed.id, 'failed', LONG_AGO, { failure: { reason: 'other', metaCode: 131000, title: 'Something went wrong' } });
      await stores.messages.advanceState(readRecently.id, 'read', RECENTLY);

      expect(await stores.retention.pruneBatch('messages', CUTOFF, 100)).toBe(2);
      expect(await stores.messages.getMessage(read.id)).toBeUndefined();
      expect(await stores.messages.getMessage(failed.id)).toBeUndefined();
      expect(await stores.messages.getMessage(stillQueued.id)).toMatchObject({ state: 'accepted' });
      expect(await stores.messages.getMessage(readRecently.id)).toMatchObject({ state: 'read' });
      expect(await stores.retention.pruneBatch('messages', CUTOFF, 100)).toBe(0);
    });

    it('removes at most `limit` records per call, oldest first', async () => {
      const messages = Array.from({ length: 5 }, (_, i) => sampleMessage({ acceptedAt: T0 + i }));
      await stores.messages.acceptMessages(messages);
      for (const [i, message] of messages.entries()) await stores.messages.advanceState(message.id, 'delivered', LONG_AGO + i);
      expect(await stores.retention.pruneBatch('messages', CUTOFF, 2)).toBe(2);
      expect(await stores.messages.getMessage(messages[0]!.id)).toBeUndefined();
      expect(await stores.messages.getMessage(messages[4]!.id)).toBeDefined();
      expect(await stores.retention.pruneBatch('messages', CUTOFF, 2)).toBe(2);
      expect(await stores.retention.pruneBatch('messages', CUTOFF, 2)).toBe(1);
      expect(await stores.retention.pruneBatch('messages', CUTOFF, 2)).toBe(0);
    });

    it('forgets delivered callbacks only; callbacks still owed stay', async () => {
      const [delivered, owed, deliveredRecently] = await stores.clickLinks.inTransaction((tx) =>
        ['a', 'b', 'c'].map((msgId) => stores.outbox.addWithin(tx, { accountId: 'acme', kind: 'dlr', url: 'https://ct.example/dlr', msgId, payload: '{}' })),
      );
      // Callbacks are stamped with the real clock when stored; deliveries come after that.
      const createdAt = Date.now();
      await stores.outbox.markDelivered([delivered!], createdAt + 1_000);
      await stores.outbox.markDelivered([deliveredRecently!], createdAt + 100_000);
      expect(await stores.retention.pruneBatch('deliveredCallbacks', createdAt + 50_000, 100)).toBe(1);
      expect((await stores.outbox.get([delivered!, owed!, deliveredRecently!])).map((callback) => callback.id).sort()).toEqual([owed!, deliveredRecently!].sort());
    });

    it('forgets dead letters nobody replayed, with the callbacks they carried', async () => {
      const [callbackId, keptCallback] = await stores.clickLinks.inTransaction((tx) =>
        ['a', 'b'].map((msgId) => stores.outbox.addWithin(tx, { accountId: 'acme', kind: 'dlr', url: 'https://ct.example/dlr', msgId, payload: '{}' })),
      );
      await stores.queue.enqueue([
        { queue: 'callbacks', partitionKey: 'https://ct.example/dlr', ref: String(callbackId) },
        { queue: 'send', partitionKey: 'acme', ref: 'some-message' },
      ]);
      for (const [queue, partitionKey] of [['callbacks', 'https://ct.example/dlr'], ['send', 'acme']] as const) {
        const [job] = await stores.queue.reserve(queue, { partitionKey, limit: 1, leaseMs: 60_000 });
        await stores.queue.deadLetter(job!, 'refused');
      }
      expect(await stores.queue.listDead('callbacks', 10)).toHaveLength(1);

      // Dead letters are stamped with the real clock: a cutoff in the past keeps them all.
      expect(await stores.retention.pruneBatch('deadLetters', Date.now() - 60_000, 100)).toBe(0);
      expect(await stores.retention.pruneBatch('deadLetters', Date.now() + 60_000, 100)).toBe(2);
      expect(await stores.queue.listDead('callbacks', 10)).toEqual([]);
      expect(await stores.queue.listDead('send', 10)).toEqual([]);
      expect((await stores.outbox.get([callbackId!, keptCallback!])).map((callback) => callback.id)).toEqual([keptCallback]);
    });

    it('forgets old inbound records, after which the same wamid counts as new', async () => {
      const none = () => undefined;
      expect(await stores.inbound.record({ wamid: 'wamid.old', accountId: 'acme', sender: '919999999999', receivedAt: LONG_AGO }, none)).toBe(true);
      expect(await stores.inbound.record({ wamid: 'wamid.new', accountId: 'acme', sender: '919999999999', receivedAt: RECENTLY }, none)).toBe(true);
      expect(await stores.retention.pruneBatch('inboundMessages', CUTOFF, 100)).toBe(1);
      expect(await stores.inbound.lastInboundAt('acme', '919999999999')).toBe(RECENTLY);
      expect(await stores.inbound.record({ wamid: 'wamid.old', accountId: 'acme', sender: '919999999999', receivedAt: LONG_AGO }, none)).toBe(true);
      expect(await stores.inbound.record({ wamid: 'wamid.new', accountId: 'acme', sender: '919999999999', receivedAt: RECENTLY }, none)).toBe(false);
    });

    it('forgets old click-tracking links', async () => {
      await stores.clickLinks.inTransaction((tx) => {
        stores.clickLinks.addWithin(tx, { code: 'oldcode001', accountId: 'acme', messageId: 'm1', msgId: '1|1', url: 'https://shop.example/a', createdAt: LONG_AGO });
        stores.clickLinks.addWithin(tx, { code: 'newcode001', accountId: 'acme', messageId: 'm2', msgId: '1|2', url: 'https://shop.example/b', createdAt: RECENTLY });
      });
      expect(await stores.retention.pruneBatch('clickLinks', CUTOFF, 100)).toBe(1);
      expect(await stores.clickLinks.get('oldcode001')).toBeUndefined();
      expect(await stores.clickLinks.get('newcode001')).toMatchObject({ url: 'https://shop.example/b' });
    });
  });
}
