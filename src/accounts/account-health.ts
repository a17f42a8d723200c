/**
 * @module accounts/account-health
 * How each account is doing, for the Accounts list of the console: its last send Meta accepted,
 * the last webhook Meta sent about it, the callbacks still owed to its CleverTap URLs, and where
 * its template sync stands. Assembled from what the gateway already keeps, each read cheap:
 *
 * - times: the store's index seeks (store/account-activity.ts);
 * - callbacks owed: the callback queue's counts, partitioned by callback URL (what is in the queue
 *   is exactly what is neither delivered nor given up on), summed over the account's configured
 *   Delivery Report and Inbound Message URLs. A URL that several accounts share is counted for
 *   each; URLs a send named in its headers (Kaleyra style) belong to no configured account;
 * - templates: the template catalogue's status.
 */
import type { ResolvedAccount } from '../config/accounts.js';
import type { AccountActivity } from '../store/account-activity.js';
import { CALLBACK_QUEUE } from '../store/effects.js';

export type TemplateSyncState = 'synced' | 'syncing' | 'failed' | 'rate-limited' | 'not-synced';

export interface AccountHealth {
  /** ISO time of the newest send Meta accepted. */
  lastSendAt?: string;
  /** ISO time of the newest status or inbound message Meta sent about the account. */
  lastWebhookAt?: string;
  /** Callbacks waiting to reach the account's CleverTap URLs (not delivered, not dead-lettered). */
  callbacksOwed: number;
  templates: { state: TemplateSyncState; lastSyncAt?: string; error?: string };
}

/** One row of the job queue's counts (queue/job-queue.ts `QueueCounts`). */
export interface QueuePartitionCounts {
  queue: string;
  partitionKey: string;
  ready: number;
  scheduled: number;
  leased: number;
}

/** One account's template sync (pipeline/template-catalog.ts `TemplateCatalogStatus`). */
export interface TemplateSyncRow {
  accountId: string;
  lastSuccessAt?: number;
  lastError?: string;
  syncing: boolean;
  rateLimitedUntil?: number;
}

export interface AccountHealthSources {
  activity: AccountActivity;
  queueCounts(): Promise<readonly QueuePartitionCounts[]>;
  templateStatus(): Promise<readonly TemplateSyncRow[]>;
  /** The account as the gateway runs it (its callback URLs); undefined for one it does not run. */
  account(id: string): ResolvedAccount | undefined;
}

/** Health of several accounts at once: the queue and the catalogue are read once for all of them. */
export type AccountHealthReader = (ids: readonly string[]) => Promise<Map<string, AccountHealth>>;

export function accountHealthReader(sources: AccountHealthSources): AccountHealthReader {
  return async (ids) => {
    const [counts, templates, activities] = await Promise.all([sources.queueCounts(), sources.templateStatus(), Promise.all(ids.map((id) => sources.activity.activity(id)))]);
    const owedByUrl = new Map<string, number>();
    for (const row of counts) {
      if (row.queue === CALLBACK_QUEUE) owedByUrl.set(row.partitionKey, (owedByUrl.get(row.partitionKey) ?? 0) + row.ready + row.scheduled + row.leased);
    }
    const syncById = new Map(templates.map((row) => [row.accountId, row]));
    const health = new Map<string, AccountHealth>();
    ids.forEach((id, index) => {
      const { lastSendAt, lastWebhookAt } = activities[index]!;
      const account = sources.account(id);
      const urls = new Set([account?.clevertap.deliveryReportUrl, account?.clevertap.inboundMessageUrl].filter((url): url is string => url !== undefined));
      let callbacksOwed = 0;
      for (const url of urls) callbacksOwed += owedByUrl.get(url) ?? 0;
      health.set(id, {
        ...(lastSendAt !== undefined ? { lastSendAt: iso(lastSendAt) } : {}),
        ...(lastWebhookAt !== undefined ? { lastWebhookAt: iso(lastWebhookAt) } : {}),
        callbacksOwed,
        templates: templateHealth(syncById.get(id)),
      });
    });
    return health;
  };
}

function templateHealth(row: TemplateSyncRow | undefined): AccountHealth['templates'] {
  const lastSync = row?.lastSuccessAt !== undefined ? { lastSyncAt: iso(row.lastSuccessAt) } : {};
  if (!row) return { state: 'not-synced' };
  if (row.syncing) return { state: 'syncing', ...lastSync };
  if (row.rateLimitedUntil !== undefined) return { state: 'rate-limited', ...lastSync, ...(row.lastError ? { error: row.lastError } : {}) };
  if (row.lastError) return { state: 'failed', ...lastSync, error: row.lastError };
  return row.lastSuccessAt !== undefined ? { state: 'synced', ...lastSync } : { state: 'not-synced' };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
