/**
 * @module compose/templates
 * The template catalogue: each account's templates, read from its WABA through its Graph client
 * and kept in the store, so sends are checked against them and CleverTap's template import is
 * answered without waiting on Meta. Accounts added, moved to another WABA or deleted at runtime
 * are added to, changed in or removed from the catalogue as they change.
 */
import type { Logger } from 'pino';
import type { AccountDirectory, ResolvedAccount } from '../config/accounts.js';
import { TemplateCatalog, type TemplateSource } from '../pipeline/template-catalog.js';
import type { TemplateStore } from '../store/template-store.js';
import type { GraphClient } from '../whatsapp/graph-client.js';
import type { Service } from './lifecycle.js';
import type { Cluster } from './cluster.js';

/** How long startup waits for the first template sync before serving without it. */
const INITIAL_SYNC_WAIT_MS = 5_000;

export interface TemplateParts {
  accounts: Pick<AccountDirectory, 'all'> & Partial<Pick<AccountDirectory, 'onChange'>>;
  graph(accountId: string): Pick<GraphClient, 'getJson'>;
  store: TemplateStore;
  syncEveryMs: number;
  logger: Logger;
  /** Several replicas: the leader syncs, changes are announced (compose/cluster.ts). */
  cluster?: Pick<Cluster, 'isLeader' | 'signal'>;
}

export function createTemplateCatalog({ accounts, graph, store, syncEveryMs, logger, cluster }: TemplateParts): TemplateCatalog {
  // The client is looked up on each call: it is replaced when the account's credentials change.
  const sourceOf = (account: ResolvedAccount): TemplateSource => ({
    accountId: account.id,
    wabaId: account.whatsapp.wabaId,
    getJson: (graphPath: string) => graph(account.id).getJson(graphPath),
  });
  const catalog = new TemplateCatalog({
    sources: accounts.all.map(sourceOf),
    store,
    logger,
    syncEveryMs,
    ...(cluster
      ? { isLeader: () => cluster.isLeader(), onChanged: (accountId: string) => cluster.signal({ kind: 'templates', accountId }) }
      : {}),
  });
  accounts.onChange?.(({ added, updated, removed }) => {
    for (const account of [...added, ...updated]) catalog.setSource(sourceOf(account));
    for (const account of removed) catalog.removeSource(account.id);
  });
  return catalog;
}

/** The catalogue as a running part: started before the gateway serves, closed after it stops. */
export function templateService(catalog: TemplateCatalog): Service {
  return {
    start: async () => {
      await catalog.start();
      // Sends are validated from the first request when Meta answers promptly; a slow or failing
      // Meta does not hold up the start (the last good copy, or pass-through, serves meanwhile).
      await Promise.race([catalog.settled(), new Promise((resolve) => setTimeout(resolve, INITIAL_SYNC_WAIT_MS).unref())]);
    },
    stop: () => catalog.close(),
  };
}
