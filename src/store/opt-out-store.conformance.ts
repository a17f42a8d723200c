/**
 * @module store/opt-out-store.conformance
 * The one suite every OptOutStore adapter passes, run from `test/conformance/storages.test.ts`.
 * Opt-outs and opt-ins are written as effects of the inbound message that asked for them.
 */
import { expect } from 'vitest';
import type { Effects } from './effects.js';
import type { OptOut } from './opt-out-store.js';
import type { Storage } from './storage.js';
import { conformanceSuite, storageFor, type StorageFixture } from './storage.conformance.js';

const T0 = 1_700_000_000_000;
let wamids = 0;

/** An inbound message from `recipient` to `accountId` carrying `effects`. */
function receive(storage: Storage, accountId: string, recipient: string, effects: Effects, wamid = `wamid.optout.${++wamids}`): Promise<boolean> {
  return storage.inbound.record({ wamid, accountId, sender: recipient, receivedAt: T0 + wamids }, effects);
}

function optOut(accountId: string, recipient: string, keyword = 'STOP', optedOutAt = T0): OptOut {
  return { accountId, recipient, keyword, optedOutAt };
}

const sorted = (optOuts: OptOut[]) => [...optOuts].sort((a, b) => `${a.accountId}/${a.recipient}`.localeCompare(`${b.accountId}/${b.recipient}`));

export function runOptOutStoreConformance(fixture: StorageFixture): void {
  conformanceSuite('OptOutStore', fixture, (test) => {
    const under = storageFor(fixture);

    test('lists every opt-out, of every account, as it was recorded', async () => {
      const storage = under.storage;
      expect(await storage.optOuts.all()).toEqual([]);
      await receive(storage, 'acme', '919999999999', { optOut: optOut('acme', '919999999999', 'STOP', T0 + 1) });
      await receive(storage, 'acme', '919999999990', { optOut: optOut('acme', '919999999990', 'Unsubscribe ✋', T0 + 2) });
      await receive(storage, 'other', '919999999999', { optOut: optOut('other', '919999999999', 'stop', T0 + 3) });
      expect(sorted(await storage.optOuts.all())).toEqual([
        optOut('acme', '919999999990', 'Unsubscribe ✋', T0 + 2),
        optOut('acme', '919999999999', 'STOP', T0 + 1),
        optOut('other', '919999999999', 'stop', T0 + 3),
      ]);
      expect(typeof (await storage.optOuts.all())[0]!.optedOutAt).toBe('number');
    });

    test('an opt-out again replaces the first: one per account and recipient', async () => {
      const storage = under.storage;
      await receive(storage, 'acme', '919999999999', { optOut: optOut('acme', '919999999999', 'STOP', T0) });
      await receive(storage, 'acme', '919999999999', { optOut: optOut('acme', '919999999999', 'CANCEL', T0 + 60_000) });
      expect(await storage.optOuts.all()).toEqual([optOut('acme', '919999999999', 'CANCEL', T0 + 60_000)]);
    });

    test('an opt-in removes the opt-out of that account only; one for someone never opted out changes nothing', async () => {
      const storage = under.storage;
      await receive(storage, 'acme', '919999999999', { optOut: optOut('acme', '919999999999') });
      await receive(storage, 'other', '919999999999', { optOut: optOut('other', '919999999999') });
      await receive(storage, 'acme', '919999999999', { optIn: { accountId: 'acme', recipient: '919999999999' } });
      await receive(storage, 'acme', '919999999990', { optIn: { accountId: 'acme', recipient: '919999999990' } });
      expect(await storage.optOuts.all()).toEqual([optOut('other', '919999999999')]);
    });

    test('a repeated webhook does not opt out again, or back in', async () => {
      const storage = under.storage;
      expect(await receive(storage, 'acme', '919999999999', { optOut: optOut('acme', '919999999999') }, 'wamid.stop')).toBe(true);
      expect(await receive(storage, 'acme', '919999999999', { optIn: { accountId: 'acme', recipient: '919999999999' } }, 'wamid.start')).toBe(true);
      // Meta redelivers the STOP: it was seen, so the user stays opted in.
      expect(await receive(storage, 'acme', '919999999999', { optOut: optOut('acme', '919999999999') }, 'wamid.stop')).toBe(false);
      expect(await storage.optOuts.all()).toEqual([]);
    });

    test('opt-outs survive a restart (they are read once, at startup)', async () => {
      await receive(under.storage, 'acme', '919999999999', { optOut: optOut('acme', '919999999999') });
      const storage = await under.restart();
      expect(await storage.optOuts.all()).toEqual([optOut('acme', '919999999999')]);
    });
  });
}
