/**
 * @module store/account-store
 * Accounts an operator created through the admin API (accounts declared in the config file are
 * not stored). The store keeps each account's document as the admin API saved it (the config
 * file's account shape, secrets included) without reading it: validation belongs to the layer
 * that knows the schema. Two things it does enforce, because only the store can do so across
 * replicas: an id names one live account, and a WABA number is served by one live account.
 *
 * Every change is written together with its audit entry, in one transaction, so the audit log
 * never misses a change nor records one that did not happen.
 *
 * Deleting marks the account deleted instead of removing the row: sends it already accepted and
 * callbacks it is still owed go out with its credentials and URLs. Creating an account with a
 * deleted account's id revives the row with the new document.
 *
 * A write's times (`createdAt`, `updatedAt`, `deletedAt`) are its audit draft's `at`: the record
 * and the entry describing it agree. Audit entries are kept for good (no retention rule): a few
 * per operator change, and the history is what they are for.
 */

export interface AccountRecord {
  id: string;
  /** Normalised (digits only, no `+`); unique among accounts not deleted. */
  wabaNumber: string;
  /** The account as saved (JSON object), opaque to the store. */
  document: Record<string, unknown>;
  /** 1 when created (or revived), +1 on every update: a PUT may name the version it edits. */
  version: number;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  /** Epoch ms it was deleted; absent while the account is live. */
  deletedAt?: number;
}

/** What happened, by whom, written with the change it describes. Never holds secret values. */
export interface AuditDraft {
  /** Epoch ms. */
  at: number;
  /** Who made the change: the admin token's name, `loopback`, or `cli`. */
  actor: string;
  /** e.g. `account.create`, `account.update`, `account.delete`, `callbacks.replay`. */
  action: string;
  /** What it was done to, e.g. the account id. */
  subject: string;
  /** What changed (JSON), secrets replaced by a mark saying they changed. */
  details: Record<string, unknown>;
}

export interface AuditEntry extends AuditDraft {
  /** Increases with every entry (a string: bigint on Postgres). */
  id: string;
}

export type AccountWrite =
  | { ok: true; account: AccountRecord }
  /** `exists`: a live account has this id. `number-taken`: a live account serves this WABA number (`by` names it). */
  | { ok: false; reason: 'exists' | 'missing' | 'version-conflict' }
  | { ok: false; reason: 'number-taken'; by: string };

export interface AccountStore {
  /** Every stored account, deleted ones included, ordered by id. */
  list(): Promise<AccountRecord[]>;
  get(id: string): Promise<AccountRecord | undefined>;
  /**
   * Creates the account, or revives a deleted one with this id (version 1 again, created now).
   * `exists` when a live account has the id, else `number-taken` when another serves the number.
   */
  create(account: { id: string; wabaNumber: string; document: Record<string, unknown> }, audit: AuditDraft): Promise<AccountWrite>;
  /**
   * Replaces a live account's document (and number). With `expectedVersion`, only if the account
   * is still at that version (`version-conflict` otherwise); `missing` when there is no live
   * account `id`; `number-taken` when another live account serves the new number.
   */
  update(
    account: { id: string; wabaNumber: string; document: Record<string, unknown> },
    audit: AuditDraft,
    expectedVersion?: number,
  ): Promise<AccountWrite>;
  /** Marks a live account deleted (its version stays); `missing` when there is none. */
  markDeleted(id: string, audit: AuditDraft): Promise<AccountWrite>;
  /**
   * An opaque value that changes with every account write, on any replica, and not otherwise, so
   * a replica can poll cheaply and re-read the list only when it moved. Refused writes leave it.
   */
  revision(): Promise<string>;
}

export interface AuditLog {
  /** Records an entry for a change that is not an account write (those record their own). */
  record(entry: AuditDraft): Promise<AuditEntry>;
  /** Newest first; `before` (an entry id) pages back; `subject` narrows to one account. */
  list(query: { limit: number; before?: string; subject?: string }): Promise<AuditEntry[]>;
}

/** The most `AuditLog.list` returns at once. */
export const MAX_LISTED_AUDIT_ENTRIES = 500;

/** How many entries a `list` asking for `limit` returns at most: 0 to {@link MAX_LISTED_AUDIT_ENTRIES}. */
export function auditListLimit(limit: number): number {
  return Math.min(MAX_LISTED_AUDIT_ENTRIES, Math.max(0, Math.floor(limit) || 0));
}

const LARGEST_ID = 2n ** 63n - 1n;

/**
 * The id a `list` reads below: past every entry without `before`; `undefined` when `before`
 * cannot name an entry (not a decimal id), so the page is empty instead of a cast error.
 */
export function auditCursor(before: string | undefined): bigint | undefined {
  if (before === undefined) return LARGEST_ID;
  if (!/^\d{1,30}$/.test(before)) return undefined;
  const id = BigInt(before);
  return id > LARGEST_ID ? LARGEST_ID : id;
}
