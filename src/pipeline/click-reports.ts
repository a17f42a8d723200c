/**
 * @module pipeline/click-reports
 * A tap on a tracked link becomes a `Clicked` delivery report for the message's msgId, owed to
 * CleverTap in the commit that recorded it.
 *
 * Short links need no credentials (they are tapped in WhatsApp), so anyone holding one can
 * request it without end. CleverTap wants the signal that a link was clicked, not a count of
 * fetches by previews and bots: a link is reported at most once per `reportWindowMs` (default
 * 60 s; per link, not per user agent, so varying the header gains nothing), and a suppressed tap
 * writes nothing. The user agent kept is cut to `MAX_USER_AGENT_CHARS`.
 */
import type { DeliveryReport } from '../domain/delivery-report.js';
import type { CallbackOutbox } from '../store/callback-outbox.js';
import type { ClickLink, ClickLinkStore } from '../store/click-links.js';
import type { MessageStore } from '../store/message-store.js';
import { ClickWindow } from './click-window.js';
import { reportCallback } from './owe-callbacks.js';

export const MAX_USER_AGENT_CHARS = 256;
export const DEFAULT_CLICK_REPORT_WINDOW_MS = 60_000;
const DEFAULT_MAX_REMEMBERED_LINKS = 100_000;

export interface ClickReporterOptions {
  links: ClickLinkStore;
  store: MessageStore;
  outbox: CallbackOutbox;
  deliveryReportUrl(accountId: string): string | undefined;
  onOwed(url: string): void;
  /** A link is reported at most once per this window. */
  reportWindowMs?: number;
  /** Links whose window is remembered (the oldest is forgotten first). */
  maxRememberedLinks?: number;
}

export class ClickReporter {
  readonly #options: ClickReporterOptions;
  readonly #window: ClickWindow;

  constructor(options: ClickReporterOptions) {
    this.#options = options;
    this.#window = new ClickWindow({
      windowMs: options.reportWindowMs ?? DEFAULT_CLICK_REPORT_WINDOW_MS,
      maxLinks: options.maxRememberedLinks ?? DEFAULT_MAX_REMEMBERED_LINKS,
    });
  }

  /** Links currently inside their report window (for tests and stats). */
  get rememberedLinks(): number {
    return this.#window.size;
  }

  lookup(code: string): Promise<ClickLink | undefined> {
    return this.#options.links.get(code);
  }

  /**
   * Records a tap on `link`, reached as `shortUrl` by `userAgent`; false when the link was
   * already reported within its window (nothing is written then).
   */
  async report(link: ClickLink, shortUrl: string, userAgent: string, at = Date.now()): Promise<boolean> {
    if (!this.#window.claim(link.code, at)) return false;
    try {
      return await this.#owe(link, shortUrl, userAgent.slice(0, MAX_USER_AGENT_CHARS), at);
    } catch (error) {
      this.#window.release(link.code);
      throw error;
    }
  }

  async #owe(link: ClickLink, shortUrl: string, userAgent: string, at: number): Promise<boolean> {
    const { store, outbox } = this.#options;
    const message = await store.getLifecycle({ id: link.messageId });
    const url = message?.callbacks?.deliveryReportUrl ?? this.#options.deliveryReportUrl(link.accountId);
    if (!url) return false;
    const report: DeliveryReport = { msgId: link.msgId, status: 'clicked', at, click: { url: link.url, shortUrl, userAgent } };
    await outbox.owe([reportCallback(link.accountId, url, report, link.messageId)]);
    this.#options.onOwed(url);
    return true;
  }
}
