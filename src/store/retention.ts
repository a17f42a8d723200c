/**
 * @module store/retention
 * Old records the gateway no longer needs, removed in small batches so the database stops
 * growing. Each kind has its own rule of what is safe to forget:
 *
 * - `messages`: only in a final state (sent, delivered, read, failed) and untouched since the
 *   cutoff. A status webhook for a forgotten message is logged and dropped.
 * - `deliveredCallbacks`: callbacks CleverTap accepted. Undelivered ones are never removed here:
 *   they are still owed.
 * - `deadLetters`: callbacks given up on (dead-lettered) before the cutoff and not delivered
 *   since. The dead-lettered jobs are the queue's to forget (`JobQueue.pruneDead`), by the same
 *   age, so a callback is gone about when its dead letter is and nothing is left to replay.
 * - `inboundMessages`: the deduplication record of received messages. Meta retries a webhook for
 *   up to 7 days, so the cutoff must be older than that.
 * - `clickLinks`: short links from click tracking; a tap on a forgotten one gets 404.
 *
 * Opt-outs and templates are never pruned.
 */

export const PRUNABLE_RECORDS = ['messages', 'deliveredCallbacks', 'deadLetters', 'inboundMessages', 'clickLinks'] as const;
export type PrunableRecords = (typeof PRUNABLE_RECORDS)[number];

export interface RetentionStore {
  /**
   * Removes at most `limit` records of the kind older than `olderThan` (epoch ms) and returns how
   * many it removed; fewer than `limit` means none are left. Each call is its own short
   * transaction, so the caller can yield between batches.
   */
  pruneBatch(records: PrunableRecords, olderThan: number, limit: number): Promise<number>;
}
