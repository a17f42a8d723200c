/**
 * @module store/account-activity
 * When an account last did something, for the console's Accounts list: its last send Meta
 * accepted and the last webhook Meta sent about it. Read every few seconds while the console is
 * open, so each answer is a few index lookups, whatever the number of messages stored:
 *
 * - the last send: the newest `submitted_at` of the account's messages (a partial index over the
 *   submitted ones, migration 012, filled when Meta accepts a send — never on the ingest path);
 * - the last webhook: the newest inbound message (received time), or the newest status Meta
 *   reported on the account's {@link RECENT_SENDS} latest sends (Meta's time of the status) —
 *   statuses follow sends, so an older send's late receipt is the one thing this can miss.
 */

/** How many of an account's latest sends are read for the newest status. */
export const RECENT_SENDS = 100;

export interface AccountActivityTimes {
  /** Epoch ms of the newest send Meta accepted; absent when there is none. */
  lastSendAt?: number;
  /** Epoch ms of the newest inbound message or status; absent when there is none. */
  lastWebhookAt?: number;
}

export interface AccountActivity {
  activity(accountId: string): Promise<AccountActivityTimes>;
}

/** The later of two optional times. */
export function latest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
