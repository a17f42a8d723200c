/**
 * @module gateway
 * Starts and stops the gateway. Its parts are built in src/compose/ (one file per flow); here
 * they are put together, started in one written-down order and stopped in another. The CLI and
 * the process-level tests both start the gateway through here, so what is tested is what runs.
 */
import type { Logger } from 'pino';
import { AccountRegistry } from './accounts/account-registry.js';
import type { ResolvedAccount } from './config/accounts.js';
import type { Config } from './config/schema.js';
import { accountsAdminSource, adminSource } from './compose/admin.js';
import { composeCallbacks, type Callbacks } from './compose/callbacks.js';
import { createCluster, type Cluster } from './compose/cluster.js';
import { composeHttp, type Http } from './compose/http.js';
import { createOptOuts, type OptOuts } from './compose/opt-outs.js';
import { Lifecycle, type Service } from './compose/lifecycle.js';
import { createLogger } from './compose/logger.js';
import { createObservability, observeStoreCommits } from './compose/observability.js';
import { createMediaLinks, PublicUrl } from './compose/public-url.js';
import { createJobs, jobsDestination, type Jobs } from './compose/queue.js';
import { retentionService } from './compose/retention.js';
import { dataDirOf, prepareSandbox, type Sandbox, type SandboxSecrets } from './compose/sandbox.js';
import { composeSending, type Sending } from './compose/sending.js';
import { createStorage } from './compose/storage.js';
import { createTemplateCatalog, templateService } from './compose/templates.js';
import { composeWebhooks } from './compose/webhooks.js';
import { createWhatsappClients, type WhatsappClients } from './compose/whatsapp-clients.js';
import type { App } from './http/app.js';
import type { SendDispatcher } from './pipeline/send-dispatcher.js';
import type { TemplateCatalog } from './pipeline/template-catalog.js';
import type { JobQueue } from './queue/job-queue.js';
import type { MessageStore } from './store/message-store.js';
import { CALLBACK_QUEUE, SEND_QUEUE } from './store/effects.js';
import type { Storage } from './store/storage.js';
import type { WebhookRejectLog } from './store/webhook-rejects.js';
import type { MetaSimulator } from './sim/meta/index.js';

export { SANDBOX_ACCOUNT_ID, SANDBOX_WABA_NUMBER, type SandboxSecrets } from './compose/sandbox.js';

export interface Gateway {
  app: App;
  url: string;
  /** The live accounts now (file and stored ones). */
  readonly accounts: readonly ResolvedAccount[];
  /** Where the accounts come from and how they change at runtime; its `directory` is what every part reads. */
  registry: AccountRegistry;
  simulator?: MetaSimulator;
  /** Only in sandbox mode: the secrets the built-in simulator and the sandbox account use. */
  sandboxSecrets?: SandboxSecrets;
  logger: Logger;
  /** For tests: the store's ports, and the queue the workers take jobs from. */
  storage: Storage;
  store: MessageStore;
  queue: JobQueue;
  dispatcher: SendDispatcher;
  templates: TemplateCatalog;
  /** Webhook items that could not be understood, kept for inspection. */
  webhookRejects: WebhookRejectLog;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  logger?: Logger;
}

/** The running parts, filled in as they are built, so a failed start stops what exists. */
interface Parts {
  storage: Storage;
  sandbox: Sandbox;
  registry: Service;
  jobs: Jobs;
  cluster: Cluster;
  optOuts: OptOuts;
  clients: WhatsappClients;
  templates: Service;
  callbacks: Callbacks;
  sending: Sending;
  retention: Service;
  http: Http;
}

export async function startGateway(config: Config, options: StartGatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config);
  const lifecycle = new Lifecycle();
  const parts: Partial<Parts> = {};
  try {
    const storage = (parts.storage = await createStorage(config.store, { jobs: jobsDestination(config.queue), logger }));
    const sandbox = (parts.sandbox = await prepareSandbox(config, dataDirOf(config)));
    const registry = await AccountRegistry.open({
      config: sandbox.config,
      store: storage.accounts,
      ...(sandbox.wiring ? { sandbox: sandbox.wiring } : {}),
      logger,
      signal: () => parts.cluster?.signal({ kind: 'accounts' }),
    });
    parts.registry = { start: () => registry.start(), stop: () => registry.stop() };
    const accounts = registry.directory;
    const observe = createObservability(accounts);
    await observeStoreCommits(storage, observe.metrics);
    const cluster = (parts.cluster = await createCluster(config, { logger }));
    const jobs = (parts.jobs = await createJobs(config.queue, storage, { logger, ...(cluster.leases ? { leases: cluster.leases } : {}) }));
    const clients = (parts.clients = createWhatsappClients(accounts));
    const catalog = createTemplateCatalog({ accounts, graph: clients.graph, store: storage.templates, syncEveryMs: config.templates.syncEveryMs, logger, cluster });
    parts.templates = templateService(catalog);
    const optOuts = (parts.optOuts = await createOptOuts(storage.optOuts, cluster, logger));
    const callbacks = (parts.callbacks = composeCallbacks({ config, accounts, storage, jobs, cluster, logger, observe }));
    const sending = (parts.sending = composeSending({ config, accounts, storage, jobs, clients, callbacks, optOuts: optOuts.registry, catalog, cluster, logger, observe }));
    const publicUrl = new PublicUrl({ configured: config.server.publicBaseUrl, listenUrlIsPublic: config.mode === 'sandbox' });
    const secret = config.server.mediaSigningSecret ?? sandbox.secrets?.mediaSigningSecret;
    const media = createMediaLinks({ secret, publicUrl, ttlMs: config.server.mediaUrlTtlMs, logger });
    const webhook = composeWebhooks({ accounts, storage, callbacks, optOuts: optOuts.registry, catalog, media, logger, onOptOutChanged: optOuts.changed, observe });
    // Read when Prometheus scrapes, not tracked: cheaper at any scrape interval worth having.
    observe.metrics.addScrapeSource({ queueCounts: () => jobs.queue.counts(), queueNames: [SEND_QUEUE, CALLBACK_QUEUE], templateStatus: () => catalog.status() });
    parts.retention = retentionService({ retention: config.retention, store: storage.retention, queue: jobs.queue, logger, isLeader: cluster.isLeader });
    cluster.onSignal({
      // Another replica committed jobs: the relay (whichever replica holds it) moves them now.
      send: (accountId) => {
        jobs.committed();
        sending.dispatcher.wake(accountId);
      },
      callbacks: (url) => {
        jobs.committed();
        callbacks.dispatcher.wake(url);
      },
      optOut: optOuts.applySignal,
      templates: (accountId) => void catalog.reload(accountId).catch((error: unknown) => logger.warn({ err: error, accountId }, 'could not re-read templates another replica changed')),
      accounts: () => void registry.reload().catch((error: unknown) => logger.warn({ err: error }, 'could not re-read the accounts another replica changed; the next poll tries again')),
    });
    jobs.onRelayed((partitions) => {
      // The jobs are in the queue now: wake this replica's workers and tell the others.
      const accountIds = partitions.filter((partition) => partition.queue === SEND_QUEUE).map((partition) => partition.partitionKey);
      const urls = partitions.filter((partition) => partition.queue === CALLBACK_QUEUE).map((partition) => partition.partitionKey);
      accountIds.forEach((accountId) => sending.dispatcher.wake(accountId));
      urls.forEach((url) => callbacks.dispatcher.wake(url));
      if (accountIds.length > 0) cluster.signal({ kind: 'send', accountIds });
      if (urls.length > 0) cluster.signal({ kind: 'callbacks', urls });
    });
    const admin = adminSource({ sending, callbacks, storage, jobs, catalog });
    const onListening = (url: string) => {
      publicUrl.listening(url);
      sandbox.listening(url);
    };
    const accountsAdmin = accountsAdminSource({ config: sandbox.config, storage, registry, publicUrl, health: { jobs, catalog } });
    // sandbox.config: it carries the generated admin token, which the sandbox's admin API requires.
    const http = (parts.http = composeHttp({ config: sandbox.config, accounts, intake: sending.intake, webhook, catalog, callbacks, clients, media, publicUrl, admin, accountsAdmin, storage, lifecycle, logger, onListening, observe }));

    // The cluster first: the leader is known before the templates decide whether to read Meta.
    await lifecycle.startAll([cluster, parts.registry, optOuts, parts.templates, jobs, http, sending, callbacks, parts.retention]);
    const gateway: Gateway = {
      app: http.app,
      url: http.url(),
      get accounts() {
        return accounts.all;
      },
      registry,
      logger,
      storage,
      store: storage.messages,
      queue: jobs.queue,
      dispatcher: sending.dispatcher,
      templates: catalog,
      webhookRejects: storage.webhookRejects,
      close: () => lifecycle.stopAll(stopOrder(parts)),
    };
    if (sandbox.simulator) gateway.simulator = sandbox.simulator;
    if (sandbox.secrets) gateway.sandboxSecrets = sandbox.secrets;
    return gateway;
  } catch (error) {
    await lifecycle.stopAll(stopOrder(parts));
    throw error;
  }
}

/** Shutdown: what takes in work stops first, what holds the data last. */
function stopOrder(parts: Partial<Parts>): Service[] {
  const { storage } = parts;
  return [
    parts.http, // no new requests: the duplicate listeners, then the app (503 while closing)
    parts.registry, // accounts stop changing
    parts.sending, // the acceptor commits what it holds; sends in flight settle
    parts.callbacks, // callbacks in flight settle
    parts.jobs, // the relay moves what was committed; the external queue's connection closes
    parts.retention,
    parts.templates,
    parts.optOuts,
    parts.cluster, // after the dispatchers gave their leases back
    parts.clients,
    parts.sandbox, // the built-in simulator
    storage && { stop: () => storage.close() },
  ].filter((service): service is Service => service !== undefined);
}
