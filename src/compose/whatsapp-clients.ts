/**
 * @module compose/whatsapp-clients
 * One Graph client (sends, template listings) and one media client (the inbound media proxy)
 * per account, each with its own connection pool sized for that account's number.
 *
 * Accounts change at runtime: an account's clients are made when it is first asked for, made
 * again after its Graph settings change, and the replaced (or a removed account's) clients are
 * closed, which lets requests already in flight finish. Callers look a client up when they
 * use it rather than keep one, so they always get the current one. A deleted account's Graph
 * client is still made on demand: its queued sends go out with its credentials.
 */
import type { AccountDirectory, ResolvedAccount } from '../config/accounts.js';
import { GraphClient } from '../whatsapp/graph-client.js';
import { MediaClient } from '../whatsapp/media-client.js';
import type { Service } from './lifecycle.js';

export interface WhatsappClients extends Service {
  /** The account's Graph client; every live account, and every deleted one with work left, has one. */
  graph(accountId: string): GraphClient;
  /** The account's media client; undefined for an account not (or no longer) configured. */
  media(accountId: string): MediaClient | undefined;
}

interface AccountClients {
  /** What the clients were made with: other settings may change without replacing them. */
  settings: string;
  graph: GraphClient;
  media?: MediaClient;
}

export function createWhatsappClients(accounts: Pick<AccountDirectory, 'all' | 'byId' | 'forWork' | 'onChange'>): WhatsappClients {
  const clients = new Map<string, AccountClients>();
  const closing = new Set<Promise<void>>();

  const make = (account: ResolvedAccount): AccountClients => {
    const { graphBaseUrl, accessToken, maxInFlight } = account.whatsapp;
    const made: AccountClients = { settings: settingsOf(account), graph: new GraphClient({ graphBaseUrl, accessToken, connections: maxInFlight }) };
    clients.set(account.id, made);
    return made;
  };
  const retire = (accountId: string): void => {
    const retired = clients.get(accountId);
    if (!retired) return;
    clients.delete(accountId);
    // Closing waits for the requests in flight on the old pools.
    const closed = Promise.all([retired.graph.close(), retired.media?.close()]).then(
      () => {},
      () => {},
    );
    closing.add(closed);
    void closed.finally(() => closing.delete(closed));
  };

  for (const account of accounts.all) make(account);
  const unsubscribe = accounts.onChange(({ updated, removed }) => {
    for (const account of updated) if (clients.get(account.id)?.settings !== settingsOf(account)) retire(account.id);
    for (const account of removed) retire(account.id);
  });

  return {
    graph: (accountId) => {
      const existing = clients.get(accountId);
      if (existing) return existing.graph;
      const account = accounts.forWork(accountId);
      if (!account) throw new Error(`no account "${accountId}" is configured`);
      return make(account).graph;
    },
    media: (accountId) => {
      const account = accounts.byId(accountId);
      if (!account) return undefined;
      const own = clients.get(accountId) ?? make(account);
      own.media ??= new MediaClient({ graphBaseUrl: account.whatsapp.graphBaseUrl, accessToken: account.whatsapp.accessToken });
      return own.media;
    },
    stop: async () => {
      unsubscribe();
      for (const accountId of [...clients.keys()]) retire(accountId);
      await Promise.all([...closing]);
    },
  };
}

function settingsOf(account: ResolvedAccount): string {
  const { graphBaseUrl, accessToken, maxInFlight } = account.whatsapp;
  return JSON.stringify([graphBaseUrl, accessToken, maxInFlight]);
}
