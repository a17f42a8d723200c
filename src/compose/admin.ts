/**
 * @module compose/admin
 * What the admin API reports and does: counts from every part of the gateway in one stats
 * document, the webhook items kept for inspection, and the template catalogue's sync; and the
 * accounts admin service over the store and the account registry.
 */
import { AccountAdmin, type AdminRegistry } from '../accounts/account-admin.js';
import { accountHealthReader } from '../accounts/account-health.js';
import { redactCallbackUrl } from '../clevertap/callback-url.js';
import type { Config } from '../config/schema.js';
import type { AdminSource } from '../http/routes/admin.js';
import type { DeadLetterSource } from '../http/routes/admin-dead-letters.js';
import { CALLBACK_QUEUE } from '../store/effects.js';
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
      // The callback queue's partitions are callback URLs, tenant tokens included: origin only.
      queue: (await jobs.queue.counts()).map((row) => (row.queue === CALLBACK_QUEUE ? { ...row, partitionKey: redactCallbackUrl(row.partitionKey) } : row)),
      rejectedWebhookItems: await storage.webhookRejects.count(),
    }),
    webhookRejects: (limit) => storage.webhookRejects.list(limit),
    templates: {
      status: () => catalog.status(),
      hasAccount: (accountId) => catalog.hasAccount(accountId),
      sync: (accountId) => (accountId === undefined ? catalog.syncAll() : catalog.sync(accountId).then((result) => [result])),
    },
    deadLetters: deadLetterSource(storage, jobs, callbacks),
  };
}

/** The callback queue's dead letters with what each carried (as `wabridge callbacks list-dead` shows them). */
function deadLetterSource(storage: Storage, jobs: Jobs, callbacks: Callbacks): DeadLetterSource {
  return {
    async list(limit) {
      const dead = await jobs.queue.listDead(CALLBACK_QUEUE, limit);
      const carried = new Map((await storage.outbox.get(dead.map((job) => job.ref))).map((callback) => [callback.id, callback]));
      return dead.map((job) => {
        const callback = carried.get(job.ref);
        return {
          id: job.id,
          // The partition is the callback URL itself (tokens included): never shown.
          accountId: callback?.accountId ?? '',
          kind: callback?.kind ?? 'unknown',
          ...(callback?.msgId ? { msgId: callback.msgId } : {}),
          url: callback ? redactCallbackUrl(callback.url) : '',
          attempts: job.attempts,
          deadAt: job.deadAt,
          reason: job.reason,
        };
      });
    },
    async replay(ids) {
      const dead = await jobs.queue.listDead(CALLBACK_QUEUE, Number.MAX_SAFE_INTEGER);
      const wanted = ids === 'all' ? undefined : new Set(ids);
      const targets = ids === 'all' ? dead.map((job) => job.id) : ids;
      const replayed = targets.length === 0 ? 0 : await jobs.queue.revive(targets);
      // Deliver now rather than at the dispatcher's next sweep: wake each URL that got work back.
      for (const url of new Set(dead.filter((job) => !wanted || wanted.has(job.id)).map((job) => job.partitionKey))) callbacks.dispatcher.wake(url);
      return { replayed, notFound: targets.length - replayed };
    },
  };
}

/**
 * The accounts admin API's service: changes validated, checked with Meta, stored with their audit
 * entry, applied through `registry`; with `health`, each account answered with how it is doing.
 */
export function accountsAdminSource({
  config,
  storage,
  registry,
  publicUrl,
  health,
}: {
  config: Config;
  storage: Storage;
  registry: AdminRegistry;
  publicUrl: PublicUrl;
  health?: { jobs: Jobs; catalog: TemplateCatalog };
}): AccountsAdminSource {
  return new AccountAdmin({
    config,
    accounts: storage.accounts,
    audit: storage.audit,
    registry,
    publicBase: () => publicUrl.base(),
    webhookPath: WEBHOOK_PATH,
    ...(health
      ? {
          health: accountHealthReader({
            activity: storage.activity,
            queueCounts: () => health.jobs.queue.counts(),
            templateStatus: () => health.catalog.status(),
            account: (id) => registry.directory.byId(id),
          }),
        }
      : {}),
  });
}
