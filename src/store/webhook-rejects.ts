/**
 * @module store/webhook-rejects
 * Webhook items the gateway could not understand (a status without an id, a message without a
 * sender, a template update without an event, a body with no `entry[]`…), kept for an operator
 * to inspect. The delivery that carried them is acknowledged with 200, because Meta retries
 * anything else for a week and the rest of the batch is applied; so this is the only trace of them
 * besides a log line. Bounded: each item's JSON is cut at {@link MAX_REJECT_ITEM_CHARS}, and only
 * the newest rows are kept (10,000 unless the adapter is told otherwise).
 */

export type RejectedItemKind = 'status' | 'message' | 'template_update' | 'delivery';

export interface RejectedWebhookItem {
  /** Epoch ms the delivery was received. */
  receivedAt: number;
  /** The account the item was for, when that is known. */
  accountId?: string;
  kind: RejectedItemKind;
  /** Where in the delivery, e.g. `entry[0].changes[1].statuses[3]` (empty for the whole body). */
  where: string;
  reason: string;
  /** The item's JSON, cut at {@link MAX_REJECT_ITEM_CHARS} characters. */
  item: string;
}

export interface KeptWebhookReject extends RejectedWebhookItem {
  /** Increases with every item recorded. */
  id: number;
}

export const MAX_REJECT_ITEM_CHARS = 8 * 1024;
export const DEFAULT_MAX_KEPT_REJECTS = 10_000;
/** The most `list` returns at once. */
export const MAX_LISTED_REJECTS = 1000;

/** `limit` as `list` honours it: a whole number from 0 to MAX_LISTED_REJECTS. */
export function listLimit(limit: number): number {
  return Math.min(MAX_LISTED_REJECTS, Math.max(0, Math.floor(limit) || 0));
}

export interface WebhookRejectLog {
  /** Keeps `items` in one commit, dropping the oldest rows beyond the cap. */
  record(items: readonly RejectedWebhookItem[]): Promise<void>;
  /** How many are kept now. */
  count(): Promise<number>;
  /** The newest `limit` (at most 1,000), newest first. */
  list(limit: number): Promise<KeptWebhookReject[]>;
}
