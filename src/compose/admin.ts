/**
 * @module compose/admin
 * What the admin API reports and does: counts from every part of the gateway in one stats
 * document, the webhook items kept for inspection, and the template catalogue's sync; and the
 * accounts admin service over the store and the account registry.
 */
import { AccountAdmin, type AdminRegistry } from '../accounts/account-admin.js';
import type { Config } from '../config/schema.js';
import type { AdminSource } from '../http/routes/admin.js';
import type { AccountsAdminSource } from '../http/routes/admin-accounts.js';
import { WEBHOOK_PATH } from '../http/routes/whatsapp-webhook.js';
import type { TemplateCatalog } from '../pipeline/template-catalog.js';
import type { Storage } from '../store/storage.js';
import type { Callbacks } from './callbacks.js';
import type { PublicUrl } from './public-url.js';
import type { Jobs } from './queue.js';
import type { Sending } from './sending.js';

export function adminSource({ sending, callbacks, storage, jobs, catalog }: { sending: Sending; callbacks: Callbacks; storage: Storage; jobs: Jobs; catalog: TemplateCatalog }): AdminSource {
  return {
    stats: async () => ({
      accepted: sending.acceptor.stats,
      dispatcher: sending.dispatcher.stats,
      callbacks: callbacks.dispatcher.stats(),
      callbackEndpoints: callbacks.dispatcher.endpoints(),
      messages: await storage.messages.countByState(),
      queue: await jobs.queue.counts(),
      rejectedWebhookItems: await storage.webhookRejects.count(),
    }),
    webhookRejects: (limit) => storage.webhookRejects.list(limit),
    templates: {
      status: () => catalog.status(),
      hasAccount: (accountId) => catalog.hasAccount(accountId),
      sync: (accountId) => (accountId === undefined ? catalog.syncAll() : catalog.sync(accountId).then((result) => [result])),
    },
  };
}

/** The accounts admin API's service: changes validated, checked with Meta, stored with their audit entry, applied through `registry`. */
export function accountsAdminSource({ config, storage, registry, publicUrl }: { config: Config; storage: Storage; registry: AdminRegistry; publicUrl: PublicUrl }): AccountsAdminSource {
  return new AccountAdmin({
    config,
    accounts: storage.accounts,
    audit: storage.audit,
    registry,
    publicBase: () => publicUrl.base(),
    webhookPath: WEBHOOK_PATH,
  });
}
