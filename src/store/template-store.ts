/**
 * @module store/template-store
 * The templates synced from WhatsApp, per account, and how the last syncs went. Written by the
 * periodic sync (a whole catalogue at a time) and by template status webhooks (one status at a
 * time); read at startup and after each sync by the send preflight, and by CleverTap's template
 * import, which serves `raw` unchanged.
 *
 * Deliberately not here: queries by name or status (catalogues are small, callers filter the
 * list in memory) and partial upserts (Meta's listing is authoritative, so a sync replaces it).
 */
import type { TemplateStatus } from '../domain/template.js';

/**
 * What a sync hands over for one template. A parsed `TemplateDefinition` (domain/template.ts)
 * is one, so the sync can pass its definitions through as they are.
 */
export interface TemplateRecord {
  /** Meta's template id, as a string (webhooks carry it as a number: stringify it). */
  id: string;
  name: string;
  /** Meta's locale code exactly as approved (`en`, `en_US`, `pt_BR`). */
  language: string;
  status: TemplateStatus;
  category: string;
  /**
   * Meta's Graph JSON for the template, verbatim (it must be JSON-serialisable). Its `status`
   * is expected to equal `status`; {@link TemplateStore.setStatus} keeps the two in step.
   */
  raw: unknown;
}

export interface StoredTemplate extends TemplateRecord {
  accountId: string;
}

export interface TemplateSyncState {
  accountId: string;
  /** The last sync attempt, successful or not. */
  lastAttemptAt?: number;
  /** The last sync that replaced the catalogue. Absent until one has. */
  lastSuccessAt?: number;
  /** Why the last attempt failed; absent when it succeeded. */
  lastError?: string;
  /** Templates stored for the account after the last successful sync (0 before any). */
  templateCount: number;
}

export interface TemplateStore {
  /**
   * A successful full sync: replaces the account's whole catalogue in one transaction (templates
   * no longer listed are gone) and records `lastAttemptAt = lastSuccessAt = syncedAt`, no
   * `lastError`, and `templateCount`. Other accounts are untouched.
   *
   * `accountId` is the account for every item: an item that carries a different `accountId`
   * (e.g. a StoredTemplate of another account) is a caller bug and rejects the whole call. An id
   * listed twice (Meta's pages can overlap when templates change mid-listing) is stored once,
   * the later item winning, and counted once.
   */
  replaceAll(accountId: string, templates: readonly TemplateRecord[], syncedAt: number): Promise<void>;
  /**
   * Every stored template of the account, whatever its status, ordered by id compared as plain
   * strings (code unit / byte order, not locale, not numeric). Only the stability of the order
   * matters: CleverTap's import pages by id cursor.
   */
  list(accountId: string): Promise<StoredTemplate[]>;
  /**
   * A status webhook: sets `status`, and `raw.status` (so the import serves what we believe), of
   * the account's template with this id. False when the account has no such template (e.g. one
   * created after the last sync); the caller decides whether to resync.
   */
  setStatus(accountId: string, templateId: string, status: TemplateStatus): Promise<boolean>;
  /**
   * A failed sync: records `lastAttemptAt` and `lastError`; the catalogue, `lastSuccessAt` and
   * `templateCount` keep describing the last good copy.
   */
  recordSyncFailure(accountId: string, attemptedAt: number, error: string): Promise<void>;
  /** Undefined until the account's first sync attempt, successful or not. */
  syncState(accountId: string): Promise<TemplateSyncState | undefined>;
}
