/**
 * @module store/effects
 * What must commit together with a change, as plain data. Pipeline code never holds a
 * transaction: it says "store this message, and with it a send job and two click links", or
 * "if this status moves the message, owe CleverTap these reports", and the store adapter writes
 * all of it in its own transaction — synchronous on better-sqlite3, awaited on Postgres, the
 * same data either way. Functions that compute effects from a change (`EffectsOf`) are pure:
 * they may run inside a transaction that is later retried or rolled back.
 *
 * Jobs go to the store-owned job outbox in the same commit. Where the queue lives in the same
 * database (embedded mode) that outbox is the queue's own table; otherwise a relay moves the
 * committed rows into the queue after the commit, with idempotent job ids, so a crash between
 * the two re-enqueues harmlessly.
 */
import type { ClickLink } from './click-links.js';
import type { CallbackSpec } from './callback-outbox.js';
import type { MessageEvent } from './message-events.js';
import type { OptOut } from './opt-out-store.js';

/** Queue names, shared by the store (which writes jobs) and the workers (which take them). */
export const SEND_QUEUE = 'send';
/** One partition per callback URL; a job's `ref` is the id of the callback row it delivers. */
export const CALLBACK_QUEUE = 'callbacks';

export interface JobSpec {
  queue: string;
  /** Work in one partition is paced together (the send queue partitions by account). */
  partitionKey: string;
  /** What the job is about, e.g. a message id. */
  ref: string;
  /** Epoch ms; default now. */
  runAt?: number;
}

export interface Effects {
  jobs?: readonly JobSpec[];
  /** Callbacks owed to CleverTap: each is stored with a delivery job on `CALLBACK_QUEUE`, partition = its URL. */
  callbacks?: readonly CallbackSpec[];
  clickLinks?: readonly ClickLink[];
  optOut?: OptOut;
  optIn?: { accountId: string; recipient: string };
  /** Events of a message's timeline that belong to this change (store/message-events.ts). */
  events?: readonly MessageEvent[];
}

/** Computes what a change must carry; pure, because it runs inside the store's transaction. */
export type EffectsOf<Change> = (change: Change) => Effects | undefined;

/** True when the effects write nothing. */
export function isEmpty(effects: Effects | undefined): boolean {
  return (
    !effects ||
    (!effects.jobs?.length && !effects.callbacks?.length && !effects.clickLinks?.length && effects.optOut === undefined && effects.optIn === undefined && !effects.events?.length)
  );
}
