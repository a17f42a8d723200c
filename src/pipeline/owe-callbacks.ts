/**
 * @module pipeline/owe-callbacks
 * Turns committed state changes into callbacks owed to CleverTap, inside the same commit: the
 * reports are written to the outbox and their delivery enqueued before the webhook that caused
 * them is answered, so a crash cannot lose them.
 */
import type { JobQueue } from '../queue/job-queue.js';
import type { CallbackOutbox } from '../store/callback-outbox.js';
import type { StateChangeHook } from '../store/message-store.js';
import { CALLBACK_QUEUE } from './callback-dispatcher.js';
import { reportsForChange } from './delivery-reports.js';

export interface OweCallbacksOptions {
  outbox: CallbackOutbox;
  queue: JobQueue;
  /** The account's configured delivery-report URL, if any. */
  deliveryReportUrl(accountId: string): string | undefined;
  /** Called once per event-loop turn with the callback URLs that now have work. */
  onOwed(urls: ReadonlySet<string>): void;
}

export function oweDeliveryReports(options: OweCallbacksOptions): StateChangeHook {
  let owing = new Set<string>();
  const notifyLater = (url: string) => {
    if (owing.size === 0) {
      setImmediate(() => {
        const urls = owing;
        owing = new Set();
        options.onOwed(urls);
      });
    }
    owing.add(url);
  };
  return (tx, change) => {
    // A URL sent with the message (Kaleyra-style headers) wins over the account's.
    const url = change.callbacks?.deliveryReportUrl ?? options.deliveryReportUrl(change.accountId);
    if (!url) return;
    for (const report of reportsForChange(change)) {
      const id = options.outbox.addWithin(tx, { accountId: change.accountId, kind: 'dlr', url, msgId: change.msgId, payload: JSON.stringify(report) });
      options.queue.enqueueWithin(tx, { queue: CALLBACK_QUEUE, partitionKey: url, ref: String(id) });
      notifyLater(url);
    }
  };
}
