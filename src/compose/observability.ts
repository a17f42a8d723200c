/**
 * @module compose/observability
 * The gateway's metrics (src/observability/) joined to the parts that report to them: each part
 * is handed the narrow observer it declares (the HTTP front's `RequestObserver`, the acceptor's,
 * the dispatchers', the webhook intake's, the store's commit observer), and the registry reads
 * the queue and the template catalogue itself when Prometheus scrapes. One registry per gateway.
 */
import { GatewayMetrics } from '../observability/metrics.js';
import { acceptMeter, callbackMeter, commitMeter, requestMeter, sendMeter, webhookMeter } from '../observability/meters.js';
import type { AccountDirectory } from '../config/accounts.js';
import type { Storage } from '../store/storage.js';
import type { SqliteStorage } from '../store/sqlite/create-sqlite-storage.js';
import type { PostgresStorage } from '../store/postgres/create-postgres-storage.js';
import { writeBatcherFor } from '../store/sqlite/write-batcher.js';

export interface Observability {
  metrics: GatewayMetrics;
  requests: ReturnType<typeof requestMeter>;
  accept: ReturnType<typeof acceptMeter>;
  send: ReturnType<typeof sendMeter>;
  webhooks: ReturnType<typeof webhookMeter>;
  callbacks: ReturnType<typeof callbackMeter>;
}

export function createObservability(accounts: Pick<AccountDirectory, 'byId'>): Observability {
  const metrics = new GatewayMetrics();
  return {
    metrics,
    requests: requestMeter(metrics, { isKnownAccount: (accountId) => accounts.byId(accountId) !== undefined }),
    accept: acceptMeter(metrics),
    send: sendMeter(metrics),
    webhooks: webhookMeter(metrics),
    callbacks: callbackMeter(metrics),
  };
}

/** The store's group commits report their duration (the acceptor's commits are timed by the acceptor). */
export async function observeStoreCommits(storage: Storage, metrics: GatewayMetrics): Promise<void> {
  const observe = commitMeter(metrics);
  if (storage.kind === 'sqlite') writeBatcherFor((storage as SqliteStorage).db).observeCommits(observe);
  else {
    // Loaded only here, as compose/storage.ts does, so an embedded gateway never loads the Postgres adapter.
    const { observePgCommits } = await import('../store/postgres/pg-write-batcher.js');
    observePgCommits((storage as PostgresStorage).pool, observe);
  }
}
