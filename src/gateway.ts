/**
 * @module gateway
 * The composition root: builds the store, queue, pipeline and HTTP app from a validated
 * configuration and runs them. The CLI and the process-level tests both start the gateway
 * through here, so what is tested is what runs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { resolveAccounts, type ResolvedAccount, type SandboxWiring } from './config/accounts.js';
import { AccountSchema, type AccountConfig, type Config } from './config/schema.js';
import { Value } from 'typebox/value';
import { buildApp, type App } from './http/app.js';
import { addListenDuplicates } from './http/listen-duplicates.js';
import { WEBHOOK_PATH } from './http/routes/whatsapp-webhook.js';
import { Acceptor } from './pipeline/acceptor.js';
import { SendDispatcher } from './pipeline/send-dispatcher.js';
import { StatusIngest } from './pipeline/status-ingest.js';
import { CallbackDispatcher } from './pipeline/callback-dispatcher.js';
import { OwedCallbacks } from './pipeline/owe-callbacks.js';
import { InboundIngest } from './pipeline/inbound-ingest.js';
import { ClickReporter } from './pipeline/click-reports.js';
import { TemplateCatalog } from './pipeline/template-catalog.js';
import { RetentionJob } from './pipeline/retention.js';
import type { WebhookRejectLog } from './store/webhook-rejects.js';
import { OptOutRegistry } from './pipeline/opt-outs.js';
import { createSqliteStorage } from './store/sqlite/create-sqlite-storage.js';
import { StoreUnavailableError, describeStorageFault, isStorageFault } from './store/store-unavailable.js';
import { startMetaSimulator, type MetaSimulator } from './sim/meta/index.js';
import { GraphClient } from './whatsapp/graph-client.js';
import { MediaClient } from './whatsapp/media-client.js';
import { createMediaUrlSigner, type MediaUrlSigner } from './http/media-url-signer.js';
import type { MessageStore } from './store/message-store.js';
import type { JobQueue } from './queue/job-queue.js';

/** The number the sandbox account sends from; the CleverTap fixtures use it as `wabaNumber`. */
export const SANDBOX_WABA_NUMBER = '919888888888';
export const SANDBOX_ACCOUNT_ID = 'sandbox';
/** How long startup waits for the first template sync before serving without it. */
const INITIAL_SYNC_WAIT_MS = 5_000;

export interface Gateway {
  app: App;
  url: string;
  accounts: readonly ResolvedAccount[];
  simulator?: MetaSimulator;
  /** Only in sandbox mode: the secrets the built-in simulator and the sandbox account use. */
  sandboxSecrets?: SandboxSecrets;
  logger: Logger;
  store: MessageStore;
  queue: JobQueue;
  dispatcher: SendDispatcher;
  templates: TemplateCatalog;
  /** Webhook items that could not be understood, kept for inspection. */
  webhookRejects: WebhookRejectLog;
  close(): Promise<void>;
}

export interface SandboxSecrets {
  clevertapToken: string;
  accessToken: string;
  appSecret: string;
  webhookVerifyToken: string;
  mediaSigningSecret: string;
}

export interface StartGatewayOptions {
  logger?: Logger;
}

export async function startGateway(config: Config, options: StartGatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? pino({ level: config.log.level, redact: { paths: REDACTED_PATHS, censor: '[secret]' } });
  const dataDir = path.dirname(path.resolve(config.store.path));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const storage = await createSqliteStorage({ path: config.store.path, synchronous: config.store.synchronous, logger });
  const cleanups: Array<() => Promise<void> | void> = [() => storage.close()];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };

  try {
    let simulator: MetaSimulator | undefined;
    let sandboxSecrets: SandboxSecrets | undefined;
    let sandbox: SandboxWiring | undefined;
    if (config.mode === 'sandbox') {
      sandboxSecrets = loadSandboxSecrets(dataDir);
      if (config.accounts.length === 0) config = withSandboxAccount(config, sandboxSecrets);
      const needsSimulator = config.accounts.some((account) => !account.whatsapp.accessToken && !account.whatsapp.graphBaseUrl);
      if (needsSimulator) {
        simulator = await startMetaSimulator({
          host: '127.0.0.1',
          port: config.sandbox.simulatorPort,
          accessToken: sandboxSecrets.accessToken,
          appSecret: sandboxSecrets.appSecret,
          phoneNumbers: config.accounts.map((account, index) => ({
            ...sandboxIds(index),
            displayPhoneNumber: account.wabaNumber.replace(/\D/g, ''),
            messagesPerSecond: account.whatsapp.messagesPerSecond,
          })),
        });
        cleanups.push(() => simulator!.close());
        sandbox = {
          graphBaseUrl: simulator.graphBaseUrl,
          accessToken: sandboxSecrets.accessToken,
          appSecret: sandboxSecrets.appSecret,
          webhookVerifyToken: sandboxSecrets.webhookVerifyToken,
          idsFor: sandboxIds,
        };
      }
    }
    const accounts = resolveAccounts(config, sandbox);

    const { messages: store, queue } = storage;

    const { outbox } = storage;
    const accountById = new Map(accounts.map((account) => [account.id, account]));
    const callbackDispatcher = new CallbackDispatcher({
      outbox,
      queue,
      logger,
      maxAgeMs: config.callbacks.maxAgeMs,
      publicTargetsOnly: (accountId) => !accountById.get(accountId)?.clevertap.allowPrivateTargets,
      headersFor: (accountId, kind) => {
        const upload = kind === 'profile' ? accountById.get(accountId)?.clevertap.upload : undefined;
        return upload ? { 'X-CleverTap-Account-Id': upload.accountId, 'X-CleverTap-Passcode': upload.passcode } : undefined;
      },
      ...(config.callbacks.retryScheduleMs ? { retrySchedule: config.callbacks.retryScheduleMs } : {}),
    });
    const owedCallbacks = new OwedCallbacks({
      deliveryReportUrl: (accountId) => accountById.get(accountId)?.clevertap.deliveryReportUrl,
      onOwed: (urls) => urls.forEach((url) => callbackDispatcher.wake(url)),
    });

    const inboundLog = storage.inbound;
    const mediaClients = new Map(accounts.map((account) => [account.id, new MediaClient({ graphBaseUrl: account.whatsapp.graphBaseUrl, accessToken: account.whatsapp.accessToken })]));
    cleanups.push(async () => { await Promise.all([...mediaClients.values()].map((client) => client.close())); });
    const mediaSecret = config.server.mediaSigningSecret ?? sandboxSecrets?.mediaSigningSecret;
    // The base URL is known before listening only when configured; the sandbox's comes from listen().
    let mediaBaseUrl = config.server.publicBaseUrl;
    const mediaSigner = () => createMediaUrlSigner({ secret: mediaSecret!, publicBaseUrl: mediaBaseUrl!, ttlMs: config.server.mediaUrlTtlMs });
    let signer: MediaUrlSigner | undefined;
    if (!mediaSecret) logger.warn('server.mediaSigningSecret is not set: inbound media reaches CleverTap as a text note instead of a link');
    else if (!mediaBaseUrl && config.mode === 'production') logger.warn('server.publicBaseUrl is not set: inbound media reaches CleverTap as a text note instead of a link');
    const graphClients = accounts.map((account) => new GraphClient({ graphBaseUrl: account.whatsapp.graphBaseUrl, accessToken: account.whatsapp.accessToken, connections: account.whatsapp.maxInFlight }));
    cleanups.push(async () => { await Promise.all(graphClients.map((client) => client.close())); });

    const dispatcher = new SendDispatcher({
      store,
      queue,
      logger,
      lanes: accounts.map((account, index) => ({
        accountId: account.id,
        phoneNumberId: account.whatsapp.phoneNumberId,
        messagesPerSecond: account.whatsapp.messagesPerSecond,
        maxInFlight: account.whatsapp.maxInFlight,
        sender: graphClients[index]!,
      })),
      leaseMs: config.dispatcher.leaseMs,
      uncertainHoldMs: config.dispatcher.uncertainHoldMs,
      maxAttempts: config.dispatcher.maxAttempts,
      maxAgeMs: config.dispatcher.maxAgeMs,
      callbacks: owedCallbacks,
      lastInboundAt: (accountId, recipient) => inboundLog.lastInboundAt(accountId, recipient),
    });
    const { clickLinks } = storage;
    const acceptor = new Acceptor({
      store,
      maxPending: config.server.maxPendingAccepts,
      onCommitted: (accountIds) => accountIds.forEach((id) => dispatcher.wake(id)),
    });
    const statusIngest = new StatusIngest({ store, logger, callbacks: owedCallbacks });
    const { webhookRejects } = storage;

    const optOutRegistry = new OptOutRegistry();
    optOutRegistry.load(await storage.optOuts.all());
    const inboundIngest = new InboundIngest({
      optOutRegistry,
      store,
      inboundLog,
      logger,
      onOwed: (urls) => owedCallbacks.owed(urls),
      // Inbound webhooks arrive only after listen(), when the signer exists.
      ...(mediaSecret && (mediaBaseUrl || config.mode === 'sandbox') ? { mediaUrlFor: (accountId: string, mediaId: string) => signer!.urlFor(accountId, mediaId) } : {}),
    });

    const clickReporter = new ClickReporter({
      links: clickLinks,
      store,
      outbox,
      deliveryReportUrl: (accountId) => accountById.get(accountId)?.clevertap.deliveryReportUrl,
      onOwed: (url) => owedCallbacks.owed([url]),
    });
    let listenUrl = '';

    const catalog = new TemplateCatalog({
      sources: accounts.map((account, index) => ({
        accountId: account.id,
        wabaId: account.whatsapp.wabaId,
        getJson: (graphPath: string) => graphClients[index]!.getJson(graphPath),
      })),
      store: storage.templates,
      logger,
      syncEveryMs: config.templates.syncEveryMs,
    });
    cleanups.push(() => catalog.close());
    await catalog.start();
    // Sends are validated from the first request when Meta answers promptly; a slow or failing
    // Meta does not hold up the start (the last good copy, or pass-through, serves meanwhile).
    await Promise.race([catalog.settled(), new Promise((resolve) => setTimeout(resolve, INITIAL_SYNC_WAIT_MS).unref())]);

    const retention = new RetentionJob({
      store: storage.retention,
      queue,
      logger,
      policy: {
        everyMs: config.retention.everyMs,
        keepDays: {
          messages: config.retention.messagesDays,
          deliveredCallbacks: config.retention.deliveredCallbacksDays,
          deadLetters: config.retention.deadLettersDays,
          inboundMessages: config.retention.inboundMessagesDays,
          clickLinks: config.retention.clickLinksDays,
        },
      },
    });
    cleanups.push(() => retention.stop());

    let ready = false;
    const app = buildApp({
      accounts,
      optOutRegistry,
      acceptor,
      ...(config.templates.preflight ? { templatesFor: (accountId: string) => catalog.indexFor(accountId) } : {}),
      templateCatalog: catalog,
      publicBaseUrl: config.server.publicBaseUrl,
      statusIngest,
      inboundIngest,
      webhookRejects,
      logger,
      bodyLimitBytes: config.server.bodyLimitBytes,
      requestTimeoutMs: config.server.requestTimeoutMs,
      maxConnections: config.server.maxConnections,
      headersTimeoutMs: config.server.headersTimeoutMs,
      shedLoadAtLagMs: config.server.shedLoadAtLagMs,
      shedRequestsOlderThanMs: config.server.shedRequestsOlderThanMs,
      ...(config.admin.token ? { adminToken: config.admin.token } : {}),
      health: { ready: () => ready, storeFault: () => storage.writeFault() },
      clicks: {
        reporter: clickReporter,
        shortUrlFor: (accountId, code) => {
          const base = accountById.get(accountId)?.clevertap.clickTracking.baseUrl ?? config.server.publicBaseUrl ?? listenUrl;
          return `${base.replace(/\/$/, '')}/c/${code}`;
        },
      },
      ...(mediaSecret
        ? {
            media: {
              // Verification does not depend on the base URL, so a placeholder serves until listen().
              signer: createMediaUrlSigner({ secret: mediaSecret, publicBaseUrl: mediaBaseUrl ?? 'http://localhost', ttlMs: config.server.mediaUrlTtlMs }),
              mediaClientFor: (accountId: string) => mediaClients.get(accountId),
            },
          }
        : {}),
      admin: {
        stats: async () => ({
          accepted: acceptor.stats,
          dispatcher: dispatcher.stats,
          callbacks: callbackDispatcher.stats(),
          callbackEndpoints: callbackDispatcher.endpoints(),
          messages: await store.countByState(),
          queue: await queue.counts(),
          rejectedWebhookItems: await webhookRejects.count(),
        }),
        webhookRejects: (limit) => webhookRejects.list(limit),
        templates: {
          status: () => catalog.status(),
          hasAccount: (accountId) => catalog.hasAccount(accountId),
          sync: (accountId) => (accountId === undefined ? catalog.syncAll() : catalog.sync(accountId).then((result) => [result])),
        },
      },
    });
    cleanups.push(async () => {
      ready = false;
      await app.close();
      await acceptor.drain();
      await dispatcher.stop();
      await callbackDispatcher.stop();
    });

    await app.listen({ host: config.server.host, port: config.server.port, backlog: config.server.backlog });
    const duplicates = await addListenDuplicates(app.server, config.server.listenDuplicates, logger);
    // Runs before the app's own close (cleanups run in reverse), so no duplicate accepts after it.
    cleanups.push(() => duplicates.close());
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    const url = `http://${config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host}:${port}`;
    simulator?.setWebhookUrl(`${url}${WEBHOOK_PATH}`);
    listenUrl = url;
    mediaBaseUrl ??= config.mode === 'sandbox' ? url : undefined;
    if (mediaSecret && mediaBaseUrl) signer = mediaSigner();
    dispatcher.start();
    await callbackDispatcher.start();
    retention.start();
    ready = true;

    const gateway: Gateway = { app, url, accounts, logger, store, queue, dispatcher, templates: catalog, webhookRejects, close: closeAll };
    if (simulator) gateway.simulator = simulator;
    if (sandboxSecrets) gateway.sandboxSecrets = sandboxSecrets;
    return gateway;
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Log paths that may hold secrets, wherever a config or header object is logged. */
const REDACTED_PATHS = [
  'config.accounts[*].clevertap.auth',
  'config.accounts[*].whatsapp.accessToken',
  'config.accounts[*].whatsapp.appSecret',
  'config.accounts[*].whatsapp.webhookVerifyToken',
  'config.server.mediaSigningSecret',
  'config.admin.token',
  'req.headers.authorization',
  '*.accessToken',
  '*.appSecret',
  '*.password',
  '*.token',
];

function sandboxIds(index: number): { phoneNumberId: string; wabaId: string } {
  return { phoneNumberId: String(100_000_000_000_001 + index), wabaId: String(200_000_000_000_001 + index) };
}

function withSandboxAccount(config: Config, secrets: SandboxSecrets): Config {
  return {
    ...config,
    accounts: [
      // The schema fills in every default, exactly as for a configured account.
      Value.Default(AccountSchema, {
        id: SANDBOX_ACCOUNT_ID,
        wabaNumber: SANDBOX_WABA_NUMBER,
        clevertap: { auth: { kind: 'bearer', token: secrets.clevertapToken }, allowPrivateCallbackTargets: true },
      }) as AccountConfig,
    ],
  };
}

/** Sandbox credentials are made once and kept with the data, so the header pasted into CleverTap keeps working. */
function loadSandboxSecrets(dataDir: string): SandboxSecrets {
  const file = path.join(dataDir, 'sandbox-secrets.json');
  const secret = () => randomBytes(18).toString('base64url');
  const fresh: SandboxSecrets = { clevertapToken: `wb_${secret()}`, accessToken: secret(), appSecret: secret(), webhookVerifyToken: secret(), mediaSigningSecret: secret() };
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<SandboxSecrets>) : {};
  // Secrets added in later versions are filled in; existing ones never change.
  const secrets = { ...fresh, ...kept } as SandboxSecrets;
  if (Object.keys(kept).length !== Object.keys(secrets).length) writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return secrets;
}
