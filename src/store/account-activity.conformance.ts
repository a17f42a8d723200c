/**
 * @module store/account-activity.conformance
 * The one suite every AccountActivity adapter passes, run from `test/conformance/storages.test.ts`:
 * an account's last send is the newest Meta accepted, its last webhook the newest status or
 * inbound message, and no account sees another's.
 */
import { expect } from 'vitest';
import { RECENT_SENDS } from './account-activity.js';
import { sampleMessage } from './message-store.conformance.js';
import { conformanceSuite, storageFor, type StorageFixture } from './storage.conformance.js';

const T0 = 1_700_000_000_000;

export function runAccountActivityConformance(fixture: StorageFixture): void {
  conformanceSuite('AccountActivity', fixture, (test) => {
    const under = storageFor(fixture);

    test('knows nothing of an account with no send accepted by Meta and no webhook', async () => {
      const { messages, activity } = under.storage;
      expect(await activity.activity('quiet')).toEqual({});
      // Accepted, not yet sent: still no send.
      await messages.acceptMessages([{ message: sampleMessage({ accountId: 'quiet', acceptedAt: T0 }) }]);
      expect(await activity.activity('quiet')).toEqual({});
    });

    test("answers the newest send Meta accepted and the newest status or inbound message, the account's own only", async () => {
      const { messages, inbound, activity } = under.storage;
      const [first, second, other] = [sampleMessage({ accountId: 'acme', acceptedAt: T0 }), sampleMessage({ accountId: 'acme', acceptedAt: T0 + 1 }), sampleMessage({ accountId: 'beta', acceptedAt: T0 + 2 })];
      await messages.acceptMessages([first, second, other].map((message) => ({ message })));
      await messages.recordSubmitted(second.id, 'wamid.activity.2', T0 + 20);
      await messages.recordSubmitted(first.id, 'wamid.activity.1', T0 + 10);
      await messages.recordSubmitted(other.id, 'wamid.activity.3', T0 + 500);
      expect(await activity.activity('acme')).toEqual({ lastSendAt: T0 + 20 });

      await messages.advanceState(first.id, 'delivered', T0 + 40);
      await messages.advanceState(second.id, 'sent', T0 + 30);
      await messages.advanceState(other.id, 'read', T0 + 900);
      expect(await activity.activity('acme')).toEqual({ lastSendAt: T0 + 20, lastWebhookAt: T0 + 40 });

      // A failure Meta reports on a send counts as a webhook too; then a reply, later still.
      await messages.advanceState(second.id, 'failed', T0 + 60, { failure: { reason: 'invalid_phone', metaCode: 131026, title: 'Message undeliverable' } });
      expect((await activity.activity('acme')).lastWebhookAt).toBe(T0 + 60);
      await inbound.record({ wamid: 'wamid.activity.in', accountId: 'acme', sender: '919999999999', receivedAt: T0 + 70 });
      expect(await activity.activity('acme')).toEqual({ lastSendAt: T0 + 20, lastWebhookAt: T0 + 70 });
      expect(await activity.activity('beta')).toEqual({ lastSendAt: T0 + 500, lastWebhookAt: T0 + 900 });
    });

    test('an account only heard from (a reply, no send) has a last webhook and no last send', async () => {
      const { inbound, activity } = under.storage;
      await inbound.record({ wamid: 'wamid.activity.only', accountId: 'listener', sender: '919999999998', receivedAt: T0 + 5 });
      expect(await activity.activity('listener')).toEqual({ lastWebhookAt: T0 + 5 });
    });

    test(`reads statuses among the latest ${RECENT_SENDS} sends`, async () => {
      const { messages, activity } = under.storage;
      const batch = Array.from({ length: RECENT_SENDS + 1 }, (_, i) => sampleMessage({ accountId: 'busy', acceptedAt: T0 + i }));
      await messages.acceptMessages(batch.map((message) => ({ message })));
      for (const [i, message] of batch.entries()) await messages.recordSubmitted(message.id, `wamid.busy.${i}`, T0 + 1_000 + i);
      // A receipt for the oldest send, now beyond the latest ones read, and one for the newest.
      await messages.advanceState(batch[0]!.id, 'read', T0 + 9_000);
      await messages.advanceState(batch[RECENT_SENDS]!.id, 'delivered', T0 + 5_000);
      expect(await activity.activity('busy')).toEqual({ lastSendAt: T0 + 1_000 + RECENT_SENDS, lastWebhookAt: T0 + 5_000 });
    });
  });
}
