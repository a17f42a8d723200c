/**
 * @module http/app
 * The fastify application. Bodies are read as raw bytes for every route: the webhook needs the
 * exact bytes for its signature, and the CleverTap endpoint answers unparseable JSON with its own
 * clear error instead of fastify's generic one.
 */
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { AccountDirectory } from '../config/accounts.js';
import type { SendIntake } from '../pipeline/send-intake.js';
import type { WebhookIntake } from '../pipeline/webhook-intake.js';
import { clevertapMessagesRoute } from './routes/clevertap-messages.js';
import { clevertapTemplatesRoute, type ClevertapTemplatesOptions } from './routes/clevertap-templates.js';
import { whatsappWebhookRoutes } from './routes/whatsapp-webhook.js';
import { healthRoutes, type HealthSource } from './routes/health.js';
import { adminRoutes, type AdminSource } from './routes/admin.js';
import { problem, validationProblem, type SchemaViolation } from './problem.js';
import { catalogRoutes, SCHEMA_ANNOTATIONS } from './openapi.js';
import { docsRoutes } from './routes/docs.js';
import { mediaRoutes, type MediaRoutesOptions } from './routes/media.js';
import { clickRoutes, type ClickRoutesOptions } from './routes/clicks.js';
import { consoleRoutes, type ConsoleRoutesOptions } from './routes/console.js';
import { adminTemplatesRoutes, type TemplateListSource } from './routes/admin-templates.js';
import { adminDeadLettersRoutes } from './routes/admin-dead-letters.js';
import { adminMessagesRoutes, type MessageAdminSource } from './routes/admin-messages.js';
import { adminDashboardRoutes, type DashboardSource } from './routes/admin-dashboard.js';
import { adminAccountsRoutes, type AccountsAdminSource } from './routes/admin-accounts.js';
import { adminSendTestRoutes, type AdminSendTestOptions } from './routes/admin-send-test.js';
import { createFastRoute, serverWithFastRoute, type RequestObserver } from './fast-route.js';
import { metricsRoutes, type MetricsSource } from './routes/metrics.js';
import { RequestIds } from './request-ids.js';
import { answerClientError } from './client-errors.js';
import { drainLimitsFor } from './refused-body.js';

/** Everything the routes serve, built by the composition root (src/compose/). */
export interface AppDependencies {
  accounts: Pick<AccountDirectory, 'byId' | 'webhookVerifyTokens'>;
  /** Decides each CleverTap send, load shedding included. */
  intake: SendIntake;
  /** Decides each signed delivery of Meta's webhook. */
  webhook: WebhookIntake;
  /** Serves CleverTap's template import. */
  templateCatalog: ClevertapTemplatesOptions['catalog'];
  publicBaseUrl?: string | undefined;
  logger: Logger;
  bodyLimitBytes: number;
  /** The whole request (headers and body) must arrive within this; 408 and closed otherwise. */
  requestTimeoutMs?: number;
  /** Connections beyond this get 429 on their CleverTap requests and are closed. */
  maxConnections?: number;
  /** The request line and headers must arrive within this (at most `requestTimeoutMs`). */
  headersTimeoutMs?: number;
  health: HealthSource;
  admin: AdminSource;
  adminToken?: string;
  /** The inbound media proxy; absent when media URLs cannot be signed or reached. */
  media?: MediaRoutesOptions;
  clicks: ClickRoutesOptions;
  /** The web console at `/`; default: console/dist of this checkout. */
  console?: ConsoleRoutesOptions;
  /** Each account's synced templates for the admin API (`GET /v1/admin/templates/{accountId}`). */
  templateList?: TemplateListSource;
  /** The accounts admin API (`/v1/admin/accounts`, `/v1/admin/audit`); absent, those routes are not served. */
  accountsAdmin?: AccountsAdminSource;
  /** `POST /v1/admin/accounts/{id}/send-test` through `intake`, audited here; absent, not served. */
  sendTest?: Pick<AdminSendTestOptions, 'audit'>;
  /** Message search, timelines and the inbound list (`/v1/admin/messages`, `/v1/admin/inbound`). */
  messages?: MessageAdminSource;
  /** The console's Dashboard (`/v1/admin/dashboard`): funnels, failures, campaigns, rates over time. */
  dashboard?: DashboardSource;
  /** `GET /metrics`; absent: not served. */
  metrics?: MetricsSource;
  /** Told every answer (the gateway's metrics): the lean front's two endpoints and every fastify route. */
  requests?: AppRequestObserver;
}

export interface AppRequestObserver extends RequestObserver {
  /** A fastify route's answer: its pattern (`unmatched` when none matched), the account its URL names, if any. */
  route(route: string, accountId: string | undefined, status: number, seconds: number): void;
}

export type App = ReturnType<typeof buildApp>;

export function buildApp(deps: AppDependencies) {
  const { intake, webhook } = deps;
  // CleverTap's campaign load and Meta's status webhooks skip fastify's per-request machinery
  // (see fast-route.ts); the fastify routes below answer the same way for inject() and whatever
  // the fast route declines.
  const requestIds = new RequestIds();
  const fastRoute = createFastRoute({
    intake,
    webhook,
    bodyLimitBytes: deps.bodyLimitBytes,
    log: deps.logger,
    requestIds,
    ...(deps.requests ? { observe: deps.requests } : {}),
  });
  const requestTimeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    serverFactory: serverWithFastRoute(fastRoute, {
      headersTimeoutMs: Math.min(deps.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeoutMs),
      drain: drainLimitsFor(deps.bodyLimitBytes),
      ...(deps.maxConnections ? { maxConnections: deps.maxConnections } : {}),
    }),
    loggerInstance: deps.logger,
    // One counter with the lean front's ids: a reqId names one request whichever front took it.
    genReqId: requestIds.nextString,
    // Per-request logs would cost more than the request itself at CleverTap's concurrency.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    // Route schemas may reuse the configuration schema, whose `secret`/`env` annotations Ajv's strict mode would refuse.
    ajv: { customOptions: { keywords: [...SCHEMA_ANNOTATIONS] } },
    // CleverTap keeps connections open between sends; keep them longer than its idle gap.
    keepAliveTimeout: 75_000,
    // A body trickling in a byte at a time would otherwise hold its connection forever.
    requestTimeout: requestTimeoutMs,
    clientErrorHandler: answerClientError(requestTimeoutMs),
    // Invalid percent-encoding in the path: the same problem shape as every other 4xx.
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      return problem(reply, status, status === 414 ? 'a path segment is longer than 100 characters' : 'the URL\'s path is not valid percent-encoding');
    },
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
  });

  // Before any plugin loads: /openapi.json describes what was registered.
  const routes = catalogRoutes(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string; validation?: SchemaViolation[]; validationContext?: string }, request, reply) => {
    if (error.validation) {
      const invalid = validationProblem(error.validation, error.validationContext);
      return problem(reply, invalid.status, invalid.message, invalid.errors);
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    // The path only: a query string may carry a secret (Meta's hub.verify_token).
    if (status === 500) request.log.error({ err: error, path: pathOf(request.url) }, 'request failed');
    const reason =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `the body is larger than ${deps.bodyLimitBytes} bytes`
        : status === 500
          ? 'internal error'
          : error.message;
    return problem(reply, status, reason);
  });
  // The asterisk form (`OPTIONS * HTTP/1.1`) names the server, not a resource: the router would
  // otherwise match it to a path (the console's page at /).
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('*')) return problem(reply, 400, 'the request target must be a path, not *');
  });
  app.setNotFoundHandler((request, reply) => problem(reply, 404, `no route for ${request.method} ${pathOf(request.url)}`));

  // While closing, fastify answers every request (503), the hot route included.
  app.addHook('preClose', async () => fastRoute.close());
  const { requests } = deps;
  if (requests) {
    app.addHook('onResponse', (request, reply, done) => {
      const params = request.params as { accountId?: unknown } | undefined;
      const accountId = typeof params?.accountId === 'string' ? params.accountId : undefined;
      requests.route(request.routeOptions.url ?? 'unmatched', accountId, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }
  app.register(clevertapMessagesRoute, { intake });
  app.register(clevertapTemplatesRoute, {
    accounts: deps.accounts,
    catalog: deps.templateCatalog,
    ...(deps.publicBaseUrl ? { publicBaseUrl: deps.publicBaseUrl } : {}),
  });
  app.register(whatsappWebhookRoutes, { accounts: deps.accounts, intake: webhook });
  app.register(healthRoutes, { health: deps.health });
  if (deps.metrics) app.register(metricsRoutes, { metrics: deps.metrics, ...(deps.adminToken ? { token: deps.adminToken } : {}) });
  if (deps.media) app.register(mediaRoutes, deps.media);
  app.register(clickRoutes, deps.clicks);
  app.register(adminRoutes, { admin: deps.admin, ...(deps.adminToken ? { token: deps.adminToken } : {}) });
  if (deps.templateList) app.register(adminTemplatesRoutes, { templates: deps.templateList, ...(deps.adminToken ? { token: deps.adminToken } : {}) });
  if (deps.admin.deadLetters) app.register(adminDeadLettersRoutes, { deadLetters: deps.admin.deadLetters, ...(deps.adminToken ? { token: deps.adminToken } : {}) });
  if (deps.accountsAdmin) app.register(adminAccountsRoutes, { accounts: deps.accountsAdmin, ...(deps.adminToken ? { token: deps.adminToken } : {}) });
  if (deps.sendTest) app.register(adminSendTestRoutes, { intake, accounts: deps.accounts, audit: deps.sendTest.audit, ...(deps.adminToken ? { token: deps.adminToken } : {}) });
  if (deps.messages) app.register(adminMessagesRoutes, { messages: deps.messages, ...(deps.adminToken ? { token: deps.adminToken } : {}) });
  if (deps.dashboard) app.register(adminDashboardRoutes, { dashboard: deps.dashboard, ...(deps.adminToken ? { token: deps.adminToken } : {}) });
  app.register(consoleRoutes, deps.console ?? {});
  app.register(docsRoutes, { routes });
  return app;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

/** The path of a request target, without its query string. */
export function pathOf(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}
