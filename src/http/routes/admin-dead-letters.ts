/**
 * @module http/routes/admin-dead-letters
 * Callbacks CleverTap never accepted, after every retry (the console's Callbacks page):
 *
 * - `GET /v1/admin/callbacks/dead-letters?limit=` → `{ data: [DeadLetter…] }`, newest first;
 * - `POST /v1/admin/callbacks/dead-letters/replay` with `{"ids": ["…"]}` or `{"all": true}` →
 *   `{ replayed, notFound }`: each is queued again as a fresh job (the same as
 *   `wabridge callbacks replay`).
 *
 * Callback URLs are shown by origin only: their paths carry CleverTap's tenant tokens. Same access
 * rule as the rest of the admin API (routes/admin.ts `requireAdmin`), in this plugin's own hook.
 */
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { problem } from '../problem.js';
import { requireAdmin, validateParamsWithTypebox } from './admin.js';

export interface DeadLetter {
  /** The dead letter's id, to replay it. */
  id: string;
  accountId: string;
  /** dlr (a delivery report), imo (an inbound message), click… */
  kind: string;
  msgId?: string;
  /** The callback URL's origin and `/…`. */
  url: string;
  attempts: number;
  /** Epoch milliseconds. */
  deadAt: number;
  reason: string;
}

export interface DeadLetterSource {
  list(limit: number): Promise<DeadLetter[]>;
  /** Queues the dead letters again; `'all'` for every one. */
  replay(ids: readonly string[] | 'all'): Promise<{ replayed: number; notFound: number }>;
}

export interface AdminDeadLettersOptions {
  deadLetters: DeadLetterSource;
  token?: string;
}

const MAX_LISTED = 1000;
const MAX_REPLAYED_BY_ID = 1000;

const DeadLetterSchema = Type.Object({
  id: Type.String({ description: 'pass it to replay' }),
  accountId: Type.String(),
  kind: Type.String({ description: 'dlr (delivery report), imo (inbound message), click' }),
  msgId: Type.Optional(Type.String({ description: "CleverTap's msgId the report is about" })),
  url: Type.String({ description: "the callback URL's origin and `/…` (its path carries CleverTap's tenant token)" }),
  attempts: Type.Integer(),
  deadAt: Type.Integer({ description: 'when it was given up on (epoch milliseconds)' }),
  reason: Type.String({ description: "the last failure: CleverTap's HTTP answer or the transport error" }),
});

export const ADMIN_DEAD_LETTERS_SCHEMA = {
  summary: 'Callbacks CleverTap never accepted, after every retry, newest first',
  tags: ['callbacks'],
  querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: MAX_LISTED, default: 100 }) }),
  response: { 200: Type.Object({ data: Type.Array(DeadLetterSchema) }) },
};

export const ADMIN_DEAD_LETTERS_REPLAY_SCHEMA = {
  summary: 'Queue dead-lettered callbacks again: some by id, or all',
  tags: ['callbacks'],
  body: Type.Union([
    Type.Object({ ids: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: MAX_REPLAYED_BY_ID }) }, { additionalProperties: false }),
    Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
  ]),
  response: { 200: Type.Object({ replayed: Type.Integer(), notFound: Type.Integer({ description: 'ids that are no dead letter (already replayed, or pruned)' }) }) },
};

export const adminDeadLettersRoutes: FastifyPluginAsync<AdminDeadLettersOptions> = async (app, { deadLetters, token }) => {
  requireAdmin(app, token);
  // The query is checked with TypeBox (defaults filled, strings converted); the body is parsed here.
  validateParamsWithTypebox(app);
  app.get<{ Querystring: { limit: number } }>('/v1/admin/callbacks/dead-letters', { schema: ADMIN_DEAD_LETTERS_SCHEMA }, async (request, reply) =>
    reply.type('application/json').send(JSON.stringify({ data: await deadLetters.list(request.query.limit) })),
  );
  // The app reads bodies as bytes (http/app.ts): parsed and checked here, each problem named.
  app.post('/v1/admin/callbacks/dead-letters/replay', { schema: ADMIN_DEAD_LETTERS_REPLAY_SCHEMA }, async (request, reply) => {
    const body = parseReplay(request.body);
    if ('error' in body) return problem(reply, body.status, body.error, body.field ? [{ field: body.field, message: body.error }] : []);
    const result = await deadLetters.replay(body.targets);
    return reply.type('application/json').send(JSON.stringify(result));
  });
};

type ParsedReplay = { targets: readonly string[] | 'all' } | { status: 400 | 422; error: string; field?: string };

function parseReplay(raw: unknown): ParsedReplay {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : '';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: 400, error: 'the body must be JSON: {"ids": ["…"]} or {"all": true}' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 422, error: 'give {"ids": ["…"]} or {"all": true}' };
  const { ids, all } = body as { ids?: unknown; all?: unknown };
  if (all === true && ids === undefined) return { targets: 'all' };
  if (all !== undefined) return { status: 422, error: 'all must be true, and comes without ids', field: 'all' };
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id.length > 0)) {
    return { status: 422, error: 'ids must be a non-empty list of dead-letter ids', field: 'ids' };
  }
  if (ids.length > MAX_REPLAYED_BY_ID) return { status: 422, error: `at most ${MAX_REPLAYED_BY_ID} ids at once; use {"all": true} for every one`, field: 'ids' };
  return { targets: ids as string[] };
}
