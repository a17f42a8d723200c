/**
 * @module compose/whatsapp-clients
 * One Graph client (sends, template listings) and one media client (the inbound media proxy)
 * per account, each with its own connection pool sized for that account's number.
 */
import type { AccountDirectory } from '../config/accounts.js';
import { GraphClient } from '../whatsapp/graph-client.js';
import { MediaClient } from '../whatsapp/media-client.js';
import type { Service } from './lifecycle.js';

export interface WhatsappClients extends Service {
  /** The account's Graph client; every configured account has one. */
  graph(accountId: string): GraphClient;
  /** The account's media client; undefined for an account not (or no longer) configured. */
  media(accountId: string): MediaClient | undefined;
}

export function createWhatsappClients(accounts: AccountDirectory): WhatsappClients {
  const graph = new Map(
    accounts.all.map((account) => [
      account.id,
      new GraphClient({ graphBaseUrl: account.whatsapp.graphBaseUrl, accessToken: account.whatsapp.accessToken, connections: account.whatsapp.maxInFlight }),
    ]),
  );
  const media = new Map(
    accounts.all.map((account) => [account.id, new MediaClient({ graphBaseUrl: account.whatsapp.graphBaseUrl, accessToken: account.whatsapp.accessToken })]),
  );
  return {
    graph: (accountId) => {
      const client = graph.get(accountId);
      if (!client) throw new Error(`no account "${accountId}" is configured`);
      return client;
    },
    media: (accountId) => media.get(accountId),
    stop: async () => {
      await Promise.all([...graph.values()].map((client) => client.close()));
      await Promise.all([...media.values()].map((client) => client.close()));
    },
  };
}
