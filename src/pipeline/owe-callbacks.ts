/**
 * @module pipeline/owe-callbacks
 * What a change owes CleverTap, as data: delivery reports for a state change, the inbound message
 * for a reply, the profile update for a STOP, the report for a click. The store commits these
 * callbacks (and their delivery jobs) with the change itself (store/effects.ts), before the
 * webhook or request that caused them is answered, so a crash cannot lose them.
 *
 * The functions here are pure; `OwedCallbacks` adds the one impure step, waking the callback
 * dispatcher for the URLs that got work once their commit is done.
 */
import type { CallbackSpec } from '../store/callback-outbox.js';
import type { StateChange, StateChangeEffects } from '../store/message-store.js';
import type { DeliveryReport } from '../domain/delivery-report.js';
import { reportsForChange } from './delivery-reports.js';

/** The delivery reports a state change owes, to the message's own URL or else the account's. */
export function deliveryReportCallbacks(change: StateChange, accountUrl: string | undefined): CallbackSpec[] {
  // A URL sent with the message (Kaleyra-style headers) wins over the account's.
  const url = change.callbacks?.deliveryReportUrl ?? accountUrl;
  if (!url) return [];
  return reportsForChange(change).map((report) => reportCallback(change.accountId, url, report, change.id));
}

/** `messageId`: the gateway's id of the message reported on (its timeline lists the callback). */
export function reportCallback(accountId: string, url: string, report: DeliveryReport, messageId?: string): CallbackSpec {
  const callback: CallbackSpec = { accountId, kind: 'dlr', url, msgId: report.msgId, payload: JSON.stringify(report) };
  if (messageId !== undefined) callback.messageRef = messageId;
  return callback;
}

/** CleverTap's own subscription flag for a user who sent STOP, so its segments stop targeting them. */
export function profileOptOutCallback(accountId: string, uploadUrl: string, recipient: string): CallbackSpec {
  const payload = JSON.stringify({ d: [{ identity: recipient, type: 'profile', profileData: { 'MSG-whatsapp': false } }] });
  return { accountId, kind: 'profile', url: uploadUrl, payload };
}

export interface OwedCallbacksOptions {
  /** The account's configured delivery-report URL, if any. */
  deliveryReportUrl(accountId: string): string | undefined;
  /** Called at most once per event-loop turn with the callback URLs whose callbacks committed. */
  onOwed(urls: ReadonlySet<string>): void;
}

export class OwedCallbacks {
  readonly #options: OwedCallbacksOptions;
  #owed = new Set<string>();

  constructor(options: OwedCallbacksOptions) {
    this.#options = options;
  }

  /**
   * Runs a store operation with the effects "owe the reports of whatever change it makes", and
   * once it has committed, wakes the dispatcher for the URLs that got reports.
   */
  async commitReports<T>(operation: (effectsOf: StateChangeEffects) => Promise<T>): Promise<T> {
    let urls: string[] | undefined;
    const result = await operation((change) => {
      const callbacks = deliveryReportCallbacks(change, this.#options.deliveryReportUrl(change.accountId));
      if (callbacks.length === 0) return undefined;
      (urls ??= []).push(callbacks[0]!.url);
      return { callbacks };
    });
    if (urls) this.owed(urls);
    return result;
  }

  /** Callbacks for these URLs were committed: wake their delivery at the end of this turn. */
  owed(urls: readonly string[]): void {
    if (this.#owed.size === 0) {
      setImmediate(() => {
        const owed = this.#owed;
        this.#owed = new Set();
        this.#options.onOwed(owed);
      });
    }
    for (const url of urls) this.#owed.add(url);
  }
}
