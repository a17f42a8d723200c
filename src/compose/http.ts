/**
 * @module compose/http
 * The HTTP server as a running part: the fastify app over the already-built intakes, listening
 * with its duplicate listeners, and the address it learned. Stopping closes the duplicates
 * before the app, so no descriptor accepts a connection the closing app would not answer.
 */
import type { Logger } from 'pino';
import type { AccountDirectory } from '../config/accounts.js';
import type { Config } from '../config/schema.js';
import { buildApp, type App } from '../http/app.js';
import { addListenDuplicates, type ListenDuplicates } from '../http/listen-duplicates.js';
import type { AdminSource } from '../http/routes/admin.js';
import type { AccountsAdminSource } from '../http/routes/admin-accounts.js';
import type { SendIntake } from '../pipeline/send-intake.js';
import type { TemplateCatalog } from '../pipeline/template-catalog.js';
import type { WebhookIntake } from '../pipeline/webhook-intake.js';
import type { Storage } from '../store/storage.js';
import type { Callbacks } from './callbacks.js';
import type { Lifecycle, Service } from './lifecycle.js';
import type { MediaLinks, PublicUrl } from './public-url.js';
import type { WhatsappClients } from './whatsapp-clients.js';
import type { Observability } from './observability.js';
import { messageAdminSource } from './message-admin.js';
import { dashboardSource } from './dashboard.js';

export interface HttpParts {
  config: Config;
  accounts: AccountDirectory;
  intake: SendIntake;
  webhook: WebhookIntake;
  catalog: TemplateCatalog;
  callbacks: Callbacks;
  clients: WhatsappClients;
  media: MediaLinks | undefined;
  publicUrl: PublicUrl;
  admin: AdminSource;
  /** The accounts admin API, when the gateway manages accounts at runtime. */
  accountsAdmin?: AccountsAdminSource;
  storage: Storage;
  lifecycle: Lifecycle;
  logger: Logger;
  /** Told the address once the server listens (before anything else starts). */
  onListening(url: string): void;
  /** The gateway's metrics: served at `/metrics`, told every request's answer. */
  observe?: Pick<Observability, 'metrics' | 'requests'>;
}

export interface Http extends Service {
  app: App;
  /** `http://host:port` the server listens on; known once started. */
  url(): string;
}

export function composeHttp(parts: HttpParts): Http {
  const { config, accounts, catalog, callbacks, clients, media, publicUrl, storage, lifecycle, logger } = parts;
  const dashboard = dashboardSource(storage, parts.observe?.metrics);
  const app = buildApp({
    accounts,
    intake: parts.intake,
    webhook: parts.webhook,
    templateCatalog: catalog,
    publicBaseUrl: config.server.publicBaseUrl,
    logger,
    bodyLimitBytes: config.server.bodyLimitBytes,
    requestTimeoutMs: config.server.requestTimeoutMs,
    maxConnections: config.server.maxConnections,
    headersTimeoutMs: config.server.headersTimeoutMs,
    ...(config.admin.token ? { adminToken: config.admin.token } : {}),
    health: { ready: () => lifecycle.ready, draining: () => lifecycle.stopping, storeFault: () => storage.writeFault() },
    ...(parts.observe ? { metrics: parts.observe.metrics, requests: parts.observe.requests } : {}),
    clicks: {
      reporter: callbacks.clickReporter,
      shortUrlFor: (accountId, code) => publicUrl.shortLinkFor(accounts, accountId, code),
    },
    ...(media ? { media: { signer: media.signer, mediaClientFor: (accountId: string) => clients.media(accountId) } } : {}),
    admin: parts.admin,
    ...(parts.accountsAdmin ? { accountsAdmin: parts.accountsAdmin } : {}),
    templateList: { list: async (accountId) => (catalog.hasAccount(accountId) ? storage.templates.list(accountId) : undefined) },
    messages: messageAdminSource(storage),
    dashboard,
    sendTest: { audit: storage.audit },
  });

  let url: string | undefined;
  let duplicates: ListenDuplicates | undefined;
  return {
    app,
    url: () => {
      if (url === undefined) throw new Error('the HTTP server is not listening yet');
      return url;
    },
    start: async () => {
      const { host, port, backlog, listenDuplicates } = config.server;
      await app.listen({ host, port, backlog });
      duplicates = await addListenDuplicates(app.server, listenDuplicates, logger);
      const address = app.server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${boundPort}`;
      parts.onListening(url);
    },
    stop: async () => {
      dashboard.stop();
      await duplicates?.close();
      await app.close();
    },
  };
}
