/**
 * @module pipeline/click-reports
 * A tap on a tracked link becomes a `Clicked` delivery report for the message's msgId, owed to
 * CleverTap in the commit that recorded it.
 */
import type { DeliveryReport } from '../domain/delivery-report.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { CallbackOutbox } from '../store/callback-outbox.js';
import type { ClickLink, ClickLinkStore } from '../store/click-links.js';
import type { MessageStore } from '../store/message-store.js';
import { CALLBACK_QUEUE } from './callback-dispatcher.js';

export interface ClickReporterOptions {
  links: ClickLinkStore;
  store: MessageStore;
  outbox: CallbackOutbox;
  queue: JobQueue;
  deliveryReportUrl(accountId: string): string | undefined;
  onOwed(url: string): void;
}

export class ClickReporter {
  readonly #options: ClickReporterOptions;

  constructor(options: ClickReporterOptions) {
    this.#options = options;
  }

  lookup(code: string): Promise<ClickLink | undefined> {
    return this.#options.links.get(code);
  }

  /** Records a tap on `link`, reached as `shortUrl` by `userAgent`. */
  async report(link: ClickLink, shortUrl: string, userAgent: string, at = Date.now()): Promise<void> {
    const { links, store, outbox, queue } = this.#options;
    const message = await store.getLifecycle({ id: link.messageId });
    const url = message?.callbacks?.deliveryReportUrl ?? this.#options.deliveryReportUrl(link.accountId);
    if (!url) return;
    const report: DeliveryReport = { msgId: link.msgId, status: 'clicked', at, click: { url: link.url, shortUrl, userAgent } };
    await links.inTransaction((tx) => {
      const id = outbox.addWithin(tx, { accountId: link.accountId, kind: 'dlr', url, msgId: link.msgId, payload: JSON.stringify(report) });
      queue.enqueueWithin(tx, { queue: CALLBACK_QUEUE, partitionKey: url, ref: String(id) });
    });
    this.#options.onOwed(url);
  }
}
