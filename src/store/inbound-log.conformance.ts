/**
 * @module store/inbound-log.conformance
 * The one suite every InboundLog adapter passes, run from `test/conformance/storages.test.ts`:
 * a webhook Meta repeats is recognised, and what a first sighting owes commits with it, once.
 */
import { expect } from 'vitest';
import type { Effects } from './effects.js';
import type { InboundRecord } from './inbound-log.js';
import { conformanceSuite, storageFor, takeCommittedJobs, takeOwedCallbacks, type StorageFixture } from './storage.conformance.js';

const IMO_URL = 'https://ct.example/imo';
const T0 = 1_700_000_000_000;

function inbound(wamid: string, overrides: Partial<InboundRecord> = {}): InboundRecord {
  return { wamid, accountId: 'acme', sender: '919999999999', receivedAt: T0, ...overrides };
}

/** What the inbound pipeline owes for a message: the IMO callback. */
function imoFor(wamid: string): Effects {
  return { callbacks: [{ accountId: 'acme', kind: 'imo', url: IMO_URL, payload: JSON.stringify({ wamid }) }] };
}

export function runInboundLogConformance(fixture: StorageFixture): void {
  conformanceSuite('InboundLog', fixture, (test) => {
    const under = storageFor(fixture);

    test('records a first sighting with its effects; a repeat is not new and commits nothing', async () => {
      const storage = under.storage;
      const effects = { ...imoFor('wamid.1'), jobs: [{ queue: 'conformance-inbound', partitionKey: 'acme', ref: 'wamid.1' }] };
      expect(await storage.inbound.record(inbound('wamid.1', { contextMsgId: '1|2|3' }), effects)).toBe(true);
      expect(await takeOwedCallbacks(storage, IMO_URL)).toMatchObject([{ kind: 'imo', payload: '{"wamid":"wamid.1"}' }]);
      expect(await takeCommittedJobs(storage, 'conformance-inbound', 'acme')).toEqual([{ queue: 'conformance-inbound', partitionKey: 'acme', ref: 'wamid.1' }]);

      // Meta delivers the same message again, even days later and as if from elsewhere.
      expect(await storage.inbound.record(inbound('wamid.1', { receivedAt: T0 + 86_400_000 }), effects)).toBe(false);
      expect(await storage.inbound.record(inbound('wamid.1', { accountId: 'other', sender: '919999999990' }), effects)).toBe(false);
      expect(await takeOwedCallbacks(storage, IMO_URL)).toEqual([]);
      expect(await takeCommittedJobs(storage, 'conformance-inbound', 'acme')).toEqual([]);
    });

    test('records without effects, and concurrent deliveries of one message are new once', async () => {
      const storage = under.storage;
      expect(await storage.inbound.record(inbound('wamid.quiet'))).toBe(true);
      expect(await storage.inbound.record(inbound('wamid.quiet'))).toBe(false);
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => storage.inbound.record(inbound('wamid.raced'), imoFor('wamid.raced'))));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(await takeOwedCallbacks(storage, IMO_URL)).toHaveLength(1);
    });

    test('a first sighting whose effects cannot be written is not recorded', async () => {
      const storage = under.storage;
      const link = { code: 'inboundC01', accountId: 'acme', messageId: 'm1', msgId: '1|1', url: 'https://shop.example/a', createdAt: T0 };
      expect(await storage.inbound.record(inbound('wamid.first'), { clickLinks: [link] })).toBe(true);
      // The same link code again cannot be stored, so neither is the message nor its callback.
      await expect(storage.inbound.record(inbound('wamid.second'), { ...imoFor('wamid.second'), clickLinks: [link] })).rejects.toThrow();
      expect(await takeOwedCallbacks(storage, IMO_URL)).toEqual([]);
      expect(await storage.inbound.lastInboundAt('acme', '919999999999')).toBe(T0);
      // Meta's retry finds it new.
      expect(await storage.inbound.record(inbound('wamid.second', { receivedAt: T0 + 5 }), imoFor('wamid.second'))).toBe(true);
      expect(await takeOwedCallbacks(storage, IMO_URL)).toHaveLength(1);
    });

    test("knows when a user last wrote to an account, whatever order messages arrive in", async () => {
      const { inbound: log } = under.storage;
      expect(await log.lastInboundAt('acme', '919999999999')).toBeUndefined();
      await log.record(inbound('wamid.a', { receivedAt: T0 + 2_000 }));
      await log.record(inbound('wamid.b', { receivedAt: T0 + 1_000 }));
      await log.record(inbound('wamid.c', { receivedAt: T0 + 9_000, accountId: 'other' }));
      await log.record(inbound('wamid.d', { receivedAt: T0 + 8_000, sender: '919999999990' }));
      // A repeat carries its own time, but it is the first sighting that counts.
      await log.record(inbound('wamid.b', { receivedAt: T0 + 7_000 }));
      expect(await log.lastInboundAt('acme', '919999999999')).toBe(T0 + 2_000);
      expect(await log.lastInboundAt('other', '919999999999')).toBe(T0 + 9_000);
      expect(await log.lastInboundAt('acme', '919999999990')).toBe(T0 + 8_000);
      expect(await log.lastInboundAt('other', '919999999990')).toBeUndefined();
    });
  });
}
