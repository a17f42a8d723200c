/**
 * @module http/routes/admin-accounts
 * The accounts admin API: `GET/POST /v1/admin/accounts`, `GET/PUT/DELETE /v1/admin/accounts/{id}`
 * (`?verify=false` on POST and PUT skips the live check with Meta), and `GET /v1/admin/audit`.
 * An account has the config file's shape; answers show its secrets masked and add where it comes
 * from and what to paste into CleverTap and Meta (`connect`). The work is done by the accounts
 * service (src/accounts/account-admin.ts), which compose hands in as an `AccountsAdminSource`.
 *
 * The account body is checked by that service, not by fastify's validator: the service reports
 * every field at fault at once (the first-error-only validator would make a form a guessing game)
 * and refuses unknown fields instead of dropping them. Its schema here documents it
 * (/openapi.json); the path and query schemas are enforced, with TypeBox.
 *
 * Same access rule as the rest of the admin API (routes/admin.ts `requireAdmin`). The audit log
 * names the caller `admin` when the admin token was presented, `loopback` when none is configured.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import Type from 'typebox';
import { AccountSchema } from '../../config/schema.js';
import type { AuditEntry } from '../../store/account-store.js';
import { MAX_LISTED_AUDIT_ENTRIES } from '../../store/account-store.js';
import { problem, ProblemSchema, type FieldError } from '../problem.js';
import { requireAdmin, validateParamsWithTypebox } from './admin.js';

export type AdminAnswer<T> = { ok: true; value: T } | { ok: false; status: number; message: string; errors: FieldError[] };

/** What the routes need of the accounts service (src/accounts/account-admin.ts implements it). */
export interface AccountsAdminSource {
  list(): Promise<readonly unknown[]>;
  get(id: string): Promise<AdminAnswer<unknown>>;
  create(body: unknown, options: { actor: string; verify: boolean }): Promise<AdminAnswer<unknown>>;
  update(id: string, body: unknown, options: { actor: string; verify: boolean }): Promise<AdminAnswer<unknown>>;
  delete(id: string, options: { actor: string }): Promise<AdminAnswer<unknown>>;
  audit(query: { limit: number; before?: string; subject?: string }): Promise<readonly AuditEntry[]>;
}

export interface AdminAccountsOptions {
  accounts: AccountsAdminSource;
  token?: string;
}

const MASKED = 'write-only: answered masked (first 4 + "…" + last 4; "…" for 12 characters or fewer)';

const ConnectAuthSchema = Type.Union([
  Type.Object({ kind: Type.Literal('bearer'), header: Type.Literal('Authorization'), value: Type.String({ description: `"Bearer " + the token, ${MASKED}` }) }),
  Type.Object({ kind: Type.Literal('basic'), username: Type.String(), password: Type.String({ description: MASKED }) }),
  Type.Object({ kind: Type.Literal('headers'), headers: Type.Record(Type.String(), Type.String({ description: MASKED })) }),
]);

const ConnectSchema = Type.Object(
  {
    clevertap: Type.Object(
      {
        endpoint: Type.String({ description: "CleverTap's HTTP Endpoint field" }),
        requestType: Type.Literal('POST'),
        auth: ConnectAuthSchema,
        templateImportUrl: Type.String({ description: "CleverTap's template import URL (same credentials)" }),
      },
      { description: "the values of CleverTap's Generic (Other) WhatsApp provider form" },
    ),
    meta: Type.Object(
      {
        webhookUrl: Type.String({ description: "the Callback URL in Meta's App Dashboard (WhatsApp → Configuration)" }),
        verifyToken: Type.String({ description: `the Verify token there, ${MASKED}` }),
      },
      { description: "the values of Meta's webhook configuration" },
    ),
  },
  { description: 'what to paste where (URLs are paths only while the public base URL is unknown)' },
);

const HealthSchema = Type.Object(
  {
    lastSendAt: Type.Optional(Type.String({ format: 'date-time', description: 'the newest send Meta accepted' })),
    lastWebhookAt: Type.Optional(Type.String({ format: 'date-time', description: "the newest status (of the account's latest sends) or inbound message Meta sent" })),
    callbacksOwed: Type.Integer({ minimum: 0, description: "callbacks waiting to reach the account's Delivery Report and Inbound Message URLs (neither delivered nor dead-lettered)" }),
    templates: Type.Object({
      state: Type.Union([Type.Literal('synced'), Type.Literal('syncing'), Type.Literal('failed'), Type.Literal('rate-limited'), Type.Literal('not-synced')]),
      lastSyncAt: Type.Optional(Type.String({ format: 'date-time', description: 'the last sync that succeeded' })),
      error: Type.Optional(Type.String({ description: 'why the last attempt failed' })),
    }),
  },
  { description: 'how the account is doing, read when asked' },
);

const AccountViewSchema = Type.Object(
  {
    ...AccountSchema.properties,
    source: Type.Union([Type.Literal('file'), Type.Literal('store')], { description: 'file: declared in the configuration file (read-only here); store: managed through this API' }),
    readOnly: Type.Boolean(),
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'stored accounts: +1 on every change; a PUT may send it back to refuse a lost update' })),
    createdAt: Type.Optional(Type.String({ format: 'date-time' })),
    updatedAt: Type.Optional(Type.String({ format: 'date-time' })),
    connect: ConnectSchema,
    health: Type.Optional(HealthSchema),
  },
  { additionalProperties: false, description: `an account as the configuration file declares it, secrets ${MASKED}, with where it comes from and how to connect it` },
);

const AccountBodySchema = Type.Object(
  { ...AccountSchema.properties, version: Type.Optional(Type.Integer({ minimum: 1, description: 'PUT: the version read; 409 if the account changed since' })) },
  {
    description:
      "an account in the configuration file's shape. The view-only fields of an answer (source, readOnly, createdAt, updatedAt, connect, health) may be sent back and are ignored. " +
      'PUT: a secret left out, or sent back masked, keeps the stored secret.',
  },
);

const AuditEntrySchema = Type.Object({
  id: Type.String({ description: 'increases with every entry; pass as `before` to page back' }),
  at: Type.String({ format: 'date-time' }),
  actor: Type.String({ description: '`admin` (the admin token), `loopback` (no token configured, a local caller) or `cli`' }),
  action: Type.String({ description: 'e.g. account.create, account.update, account.delete' }),
  subject: Type.String({ description: 'what it was done to, e.g. the account id' }),
  details: Type.Record(Type.String(), Type.Unknown(), { description: 'what changed, by dotted path ({from, to}); secrets only as "(changed)"' }),
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, description: 'the account id' }) });
const VerifyQuery = Type.Object({
  verify: Type.Boolean({ default: true, description: 'false: save without checking the Graph credentials with Meta (when Meta cannot be reached)' }),
});

const problemFor = (description: string) => ({ ...ProblemSchema, description });
const NOT_FOUND = problemFor('no account has this id');
const INVALID = problemFor('the account is not valid, or Meta refused its WhatsApp settings: each field at fault is named by its dotted path');
const CONFLICT = problemFor('the id or WABA number is taken, the account is declared in the configuration file, or it changed since it was read');
const UNREACHABLE = problemFor("Meta's Graph API could not be reached to check the credentials; nothing was saved (retry, or ?verify=false)");

const TAGS = ['accounts'];
export const ADMIN_ACCOUNTS_SCHEMAS = {
  list: { summary: 'Every account: the configuration file\'s (read-only), then those managed here', tags: TAGS, response: { 200: Type.Object({ data: Type.Array(AccountViewSchema) }) } },
  create: {
    summary: 'Create an account; its CleverTap endpoint answers as soon as this returns',
    tags: TAGS,
    querystring: VerifyQuery,
    body: AccountBodySchema,
    response: { 201: AccountViewSchema, 409: CONFLICT, 422: INVALID, 502: UNREACHABLE },
  },
  get: { summary: 'One account', tags: TAGS, params: IdParams, response: { 200: AccountViewSchema, 404: NOT_FOUND } },
  update: {
    summary: 'Replace an account (the whole document, as for create)',
    tags: TAGS,
    params: IdParams,
    querystring: VerifyQuery,
    body: AccountBodySchema,
    response: { 200: AccountViewSchema, 404: NOT_FOUND, 409: CONFLICT, 422: INVALID, 502: UNREACHABLE },
  },
  delete: {
    summary: 'Delete an account: its endpoint answers 404; sends it accepted and callbacks it owes still go out',
    tags: TAGS,
    params: IdParams,
    response: { 204: Type.Null({ description: 'deleted' }), 404: NOT_FOUND, 409: CONFLICT },
  },
  audit: {
    summary: 'Every change made through the admin API, newest first',
    tags: TAGS,
    querystring: Type.Object({
      limit: Type.Integer({ minimum: 1, maximum: MAX_LISTED_AUDIT_ENTRIES, default: 50 }),
      before: Type.Optional(Type.String({ minLength: 1, description: 'an entry id: older entries only' })),
      subject: Type.Optional(Type.String({ minLength: 1, description: 'one account id' })),
    }),
    response: { 200: Type.Object({ data: Type.Array(AuditEntrySchema) }) },
  },
};

export const adminAccountsRoutes: FastifyPluginAsync<AdminAccountsOptions> = async (app, { accounts, token }) => {
  requireAdmin(app, token);
  // Path and query: TypeBox fills defaults and converts strings; the body is the service's to check.
  validateParamsWithTypebox(app);
  // The hook let the request through: with a token configured, the caller presented it.
  const actor = token ? 'admin' : 'loopback';

  app.get('/v1/admin/accounts', { schema: ADMIN_ACCOUNTS_SCHEMAS.list }, async (_request, reply) => json(reply, 200, { data: await accounts.list() }));

  app.post<{ Querystring: { verify: boolean } }>('/v1/admin/accounts', { schema: ADMIN_ACCOUNTS_SCHEMAS.create }, async (request, reply) => {
    const body = parseBody(request.body);
    if (!body.ok) return problem(reply, 400, body.message);
    const answer = await accounts.create(body.value, { actor, verify: request.query.verify });
    if (answer.ok) reply.header('location', `/v1/admin/accounts/${encodeURIComponent((answer.value as { id: string }).id)}`);
    return send(reply, 201, answer);
  });

  app.get<{ Params: { id: string } }>('/v1/admin/accounts/:id', { schema: ADMIN_ACCOUNTS_SCHEMAS.get }, async (request, reply) => send(reply, 200, await accounts.get(request.params.id)));

  app.put<{ Params: { id: string }; Querystring: { verify: boolean } }>('/v1/admin/accounts/:id', { schema: ADMIN_ACCOUNTS_SCHEMAS.update }, async (request, reply) => {
    const body = parseBody(request.body);
    if (!body.ok) return problem(reply, 400, body.message);
    return send(reply, 200, await accounts.update(request.params.id, body.value, { actor, verify: request.query.verify }));
  });

  app.delete<{ Params: { id: string } }>('/v1/admin/accounts/:id', { schema: ADMIN_ACCOUNTS_SCHEMAS.delete }, async (request, reply) => {
    const answer = await accounts.delete(request.params.id, { actor });
    return answer.ok ? reply.code(204).send() : problem(reply, answer.status, answer.message, answer.errors);
  });

  app.get<{ Querystring: { limit: number; before?: string; subject?: string } }>('/v1/admin/audit', { schema: ADMIN_ACCOUNTS_SCHEMAS.audit }, async (request, reply) => {
    const { limit, before, subject } = request.query;
    const entries = await accounts.audit({ limit, ...(before !== undefined ? { before } : {}), ...(subject !== undefined ? { subject } : {}) });
    return json(reply, 200, { data: entries.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })) });
  });
};

function send(reply: FastifyReply, status: number, answer: AdminAnswer<unknown>): FastifyReply {
  return answer.ok ? json(reply, status, answer.value) : problem(reply, answer.status, answer.message, answer.errors);
}

/** Answers are sent as JSON text: the response schemas document them, they do not filter them. */
function json(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(value));
}

/** The app reads every body as bytes (http/app.ts); an account is JSON. */
function parseBody(raw: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : undefined;
  if (text === undefined || text.trim() === '') return { ok: false, message: 'the request body must be an account as JSON' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `the request body is not valid JSON: ${(error as Error).message}` };
  }
}
