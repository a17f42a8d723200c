/**
 * @module http/routes/admin-schemas
 * The route schemas of the operational admin routes (routes/admin.ts): fastify validates the
 * query strings with them, and /openapi.json and docs/admin-api.md are generated from them. The
 * answers are sent as prepared JSON text, so the response schemas document and do not filter.
 */
import Type from 'typebox';
import { ProblemSchema } from '../problem.js';

const EPOCH_MS = (description: string) => Type.Integer({ description: `${description} (epoch milliseconds)` });

const StatsSchema = Type.Object(
  {
    accepted: Type.Object({}, { additionalProperties: true, description: 'what the CleverTap endpoint accepted and shed since start' }),
    dispatcher: Type.Object({}, { additionalProperties: true, description: 'the send dispatcher: sent, retried, failed, in flight' }),
    callbacks: Type.Object({}, { additionalProperties: true, description: 'callbacks to CleverTap: delivered, retried, dead-lettered' }),
    callbackEndpoints: Type.Array(Type.Object({}, { additionalProperties: true }), { description: 'per CleverTap callback URL: backlog and breaker state' }),
    messages: Type.Record(Type.String(), Type.Integer(), { description: 'stored messages by state' }),
    queue: Type.Array(
      Type.Object(
        {
          queue: Type.String({ description: '`send` or `callbacks`' }),
          partitionKey: Type.String({ description: "send: the account id; callbacks: the callback URL's origin and `/…` (its path carries CleverTap's tenant token)" }),
          ready: Type.Integer(),
          scheduled: Type.Integer(),
          leased: Type.Integer(),
          dead: Type.Integer(),
          oldestReadyAt: Type.Union([EPOCH_MS('when the oldest ready job (due, not leased) was enqueued: how long work has been owed'), Type.Null()], { description: 'null when no job is ready' }),
        },
        { additionalProperties: true },
      ),
      { description: 'jobs by queue partition and state' },
    ),
    rejectedWebhookItems: Type.Integer({ description: 'webhook items kept under /v1/admin/webhook-rejects' }),
  },
  { additionalProperties: true },
);

const WebhookRejectSchema = Type.Object({
  id: Type.Integer({ description: 'increases with every item recorded' }),
  receivedAt: EPOCH_MS('when the delivery was received'),
  accountId: Type.Optional(Type.String({ description: 'the account the item was for, when known' })),
  kind: Type.Union([Type.Literal('status'), Type.Literal('message'), Type.Literal('template_update'), Type.Literal('delivery')]),
  where: Type.String({ description: 'where in the delivery, e.g. `entry[0].changes[1].statuses[3]`; empty for the whole body' }),
  reason: Type.String({ description: 'why it could not be understood' }),
  item: Type.String({ description: "the item's JSON, cut at 8 KB" }),
});

const TemplateSyncStatusSchema = Type.Object({
  accountId: Type.String(),
  templateCount: Type.Integer({ description: 'templates stored after the last successful sync' }),
  lastAttemptAt: Type.Optional(EPOCH_MS('the last sync attempt')),
  lastSuccessAt: Type.Optional(EPOCH_MS('the last sync that replaced the catalogue')),
  lastError: Type.Optional(Type.String({ description: 'why the last attempt failed' })),
  syncing: Type.Boolean(),
  rateLimitedUntil: Type.Optional(EPOCH_MS("while Meta's management rate limit holds syncs back")),
  nextSyncAt: Type.Optional(EPOCH_MS('the next scheduled sync')),
});

const SyncResultSchema = Type.Object({
  ok: Type.Boolean(),
  accountId: Type.String(),
  templates: Type.Optional(Type.Integer({ description: 'templates Meta listed (when ok)' })),
  approved: Type.Optional(Type.Integer({ description: 'of which approved (when ok)' })),
  skipped: Type.Optional(Type.Array(Type.String(), { description: 'templates that could not be read (when ok)' })),
  error: Type.Optional(Type.String({ description: 'why the sync failed (when not ok)' })),
  retryAt: Type.Optional(EPOCH_MS('when it will be tried again (when not ok)')),
});

export const STATS_SCHEMA = {
  summary: 'What the gateway has accepted, sent and is still holding',
  tags: ['admin'],
  response: { 200: StatsSchema },
};

export const WEBHOOK_REJECTS_SCHEMA = {
  summary: 'Meta webhook items that could not be understood',
  description: 'They were acknowledged, so Meta does not send them again; they are kept here for inspection, newest first.',
  tags: ['admin'],
  querystring: Type.Object({
    limit: Type.Integer({ minimum: 0, maximum: 1000, default: 50, description: 'how many, newest first' }),
  }),
  response: { 200: Type.Object({ data: Type.Array(WebhookRejectSchema) }) },
};

export const TEMPLATES_SCHEMA = {
  summary: "How each account's template sync stands",
  tags: ['admin'],
  response: { 200: Type.Array(TemplateSyncStatusSchema) },
};

export const TEMPLATES_SYNC_SCHEMA = {
  summary: "Sync templates from WhatsApp now and answer with the outcome",
  description: 'One account with `?account=`, every account without it.',
  tags: ['admin'],
  querystring: Type.Object({
    account: Type.Optional(Type.String({ minLength: 1, description: 'the account to sync; all when absent' })),
  }),
  response: {
    200: Type.Object({ results: Type.Array(SyncResultSchema) }, { description: 'every sync succeeded' }),
    404: { ...ProblemSchema, description: 'no account has this id' },
    502: Type.Object({ results: Type.Array(SyncResultSchema) }, { description: "WhatsApp's side failed for at least one account (each result says why)" }),
  },
};
