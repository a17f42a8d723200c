/**
 * @module store/message-search.conformance
 * The one suite every MessageSearch adapter passes, run from `test/conformance/storages.test.ts`:
 * each filter alone and together, newest first, keyset pages that neither repeat nor skip, and
 * the inbound list with its callbacks.
 */
import { expect } from 'vitest';
import { sampleMessage } from './message-store.conformance.js';
import type { MessageQuery, MessageSearch, MessageSummary } from './message-search.js';
import { conformanceSuite, storageFor, takeOwedCallbacks, type StorageFixture } from './storage.conformance.js';

const T0 = 1_700_000_000_000;
const IMO_URL = 'https://ct.example/imo';

/** Every page of a search, following `nextCursor`. */
async function allPages(search: MessageSearch, query: MessageQuery): Promise<MessageSummary[][]> {
  const pages: MessageSummary[][] = [];
  let cursor: string | undefined;
  do {
    const page = await search.search({ ...query, ...(cursor ? { cursor } : {}) });
    pages.push(page.data);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 100);
  return pages;
}

export function runMessageSearchConformance(fixture: StorageFixture): void {
  conformanceSuite('MessageSearch', fixture, (test) => {
    const under = storageFor(fixture);

    /** 12 messages: 2 accounts, 3 campaigns, 4 recipients, one per millisecond, some failed, two at the same time. */
    async function seed() {
      const { messages } = under.storage;
      const batch = Array.from({ length: 12 }, (_, i) =>
        sampleMessage({
          accountId: i % 2 === 0 ? 'acme' : 'beta',
          msgId: `${i}|camp${i % 3}|20240101|${i}`,
          to: `91999999990${i % 4}`,
          acceptedAt: T0 + (i === 11 ? 10 : i),
        }),
      );
      await messages.acceptMessages(batch.map((message) => ({ message })));
      for (const index of [3, 7]) {
        await messages.advanceState(batch[index]!.id, 'failed', T0 + 100, { failure: { reason: 'invalid_phone', metaCode: 131026, title: 'Message undeliverable' } });
      }
      await messages.advanceState(batch[5]!.id, 'read', T0 + 100);
      return batch;
    }
    const ids = (found: MessageSummary[]) => found.map((message) => message.id);

    test('lists newest first, each with what identifies it and where it stands', async () => {
      const batch = await seed();
      const { data, nextCursor } = await under.storage.search.search({ limit: 50 });
      // Two messages accepted in the same millisecond come in a fixed order.
      expect(ids(data)).toHaveLength(12);
      expect(new Set(ids(data.slice(0, 2)))).toEqual(new Set([batch[10]!.id, batch[11]!.id]));
      expect(ids(data.slice(2))).toEqual(batch.slice(0, 10).reverse().map((message) => message.id));
      expect(nextCursor).toBeUndefined();
      const failed = data.find((message) => message.id === batch[3]!.id);
      expect(failed).toEqual({
        id: batch[3]!.id,
        accountId: 'beta',
        msgId: '3|camp0|20240101|3',
        campaign: 'camp0',
        to: '919999999903',
        wabaNumber: batch[3]!.wabaNumber,
        contentKind: 'template',
        template: 'order_ready',
        state: 'failed',
        failure: { reason: 'invalid_phone', metaCode: 131026, title: 'Message undeliverable' },
        acceptedAt: T0 + 3,
        updatedAt: T0 + 100,
      });
    });

    test('filters by account, msgId, phone, campaign, state and time, alone and together', async () => {
      const batch = await seed();
      const { search } = under.storage;
      const expectIds = async (query: Omit<MessageQuery, 'limit'>, indexes: number[]) => {
        const { data } = await search.search({ ...query, limit: 50 });
        expect(new Set(ids(data))).toEqual(new Set(indexes.map((index) => batch[index]!.id)));
      };
      await expectIds({ accountId: 'beta' }, [1, 3, 5, 7, 9, 11]);
      await expectIds({ msgId: '4|camp1|20240101|4' }, [4]);
      await expectIds({ msgId: '4|camp1|20240101|4', accountId: 'beta' }, []);
      await expectIds({ phone: '919999999902' }, [2, 6, 10]);
      await expectIds({ campaign: 'camp2' }, [2, 5, 8, 11]);
      await expectIds({ campaign: 'camp2', accountId: 'acme' }, [2, 8]);
      await expectIds({ state: 'failed' }, [3, 7]);
      await expectIds({ state: 'failed', campaign: 'camp1' }, [7]);
      await expectIds({ state: 'read' }, [5]);
      await expectIds({ state: 'accepted', accountId: 'beta', phone: '919999999901' }, [1, 9]);
      await expectIds({ from: T0 + 4, to: T0 + 7 }, [4, 5, 6]);
      await expectIds({ from: T0 + 4, to: T0 + 7, phone: '919999999900' }, [4]);
      await expectIds({ campaign: 'nope' }, []);
    });

    test('pages with the cursor, newest first, never repeating or skipping, also across messages accepted in between', async () => {
      const batch = await seed();
      const { search, messages } = under.storage;
      const first = await search.search({ limit: 5 });
      expect(first.data).toHaveLength(5);
      expect(first.nextCursor).toBeDefined();
      // A newer message accepted while paging does not shift the pages that follow.
      await messages.acceptMessages([{ message: sampleMessage({ accountId: 'gamma', acceptedAt: T0 + 50 }) }]);
      const rest = await allPages(search, { limit: 5, cursor: first.nextCursor! });
      const seen = [...ids(first.data), ...rest.flatMap(ids)];
      expect(seen).toHaveLength(12);
      expect(new Set(seen)).toEqual(new Set(batch.map((message) => message.id)));
      expect(rest.map((page) => page.length)).toEqual([5, 2]);
      // Filtered pages too.
      const byAccount = await allPages(search, { accountId: 'acme', limit: 2 });
      expect(byAccount.flat().map((message) => message.accountId)).toEqual(Array(6).fill('acme'));
      expect(new Set(byAccount.flatMap(ids)).size).toBe(6);
    });

    test('answers at most the page size asked, within 1..200, and refuses a cursor it did not make', async () => {
      await seed();
      const { search } = under.storage;
      expect((await search.search({ limit: 3 })).data).toHaveLength(3);
      expect((await search.search({ limit: 0 })).data).toHaveLength(1);
      expect((await search.search({ limit: 10_000 })).data).toHaveLength(12);
      await expect(search.search({ limit: 5, cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
    });

    test('lists inbound messages newest first, per account, with what they said and whether CleverTap took their callback', async () => {
      const storage = under.storage;
      const imo = (wamid: string) => ({ callbacks: [{ accountId: 'acme', kind: 'imo' as const, url: IMO_URL, payload: '{}', messageRef: wamid }] });
      await storage.inbound.record({ wamid: 'wamid.A', accountId: 'acme', sender: '919999999901', receivedAt: T0 + 1, kind: 'text', text: 'hello' }, imo('wamid.A'));
      await storage.inbound.record(
        { wamid: 'wamid.B', accountId: 'acme', sender: '919999999902', receivedAt: T0 + 2, kind: 'image', text: 'a caption', mediaUrl: 'https://gw.example/media/x', contextMsgId: '1|2|3|4' },
        imo('wamid.B'),
      );
      await storage.inbound.record({ wamid: 'wamid.C', accountId: 'beta', sender: '919999999903', receivedAt: T0 + 3 });
      const [first] = await takeOwedCallbacks(storage, IMO_URL);
      await storage.outbox.markDelivered([first!.id], T0 + 10, { httpStatus: 200, latencyMs: 4 });

      const all = await storage.search.inbound({ limit: 10 });
      expect(all.data.map((message) => message.wamid)).toEqual(['wamid.C', 'wamid.B', 'wamid.A']);
      expect(all.data[2]).toEqual({
        wamid: 'wamid.A',
        accountId: 'acme',
        from: '919999999901',
        receivedAt: T0 + 1,
        kind: 'text',
        text: 'hello',
        callback: { url: IMO_URL, deliveredAt: T0 + 10, httpStatus: 200 },
      });
      expect(all.data[1]).toEqual({
        wamid: 'wamid.B',
        accountId: 'acme',
        from: '919999999902',
        receivedAt: T0 + 2,
        kind: 'image',
        text: 'a caption',
        mediaUrl: 'https://gw.example/media/x',
        contextMsgId: '1|2|3|4',
        callback: { url: IMO_URL },
      });
      expect(all.data[0]).toEqual({ wamid: 'wamid.C', accountId: 'beta', from: '919999999903', receivedAt: T0 + 3 });

      const acme = await storage.search.inbound({ accountId: 'acme', limit: 1 });
      expect(acme.data.map((message) => message.wamid)).toEqual(['wamid.B']);
      const next = await storage.search.inbound({ accountId: 'acme', limit: 1, cursor: acme.nextCursor! });
      expect(next.data.map((message) => message.wamid)).toEqual(['wamid.A']);
      expect(next.nextCursor).toBeUndefined();
    });
  });
}
