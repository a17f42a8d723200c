/**
 * @module sim/clevertap/control-api
 * `/_sim/*`: a JSON surface so a standalone simulator (`wabridge sim clevertap serve`) can be
 * read and steered from benchmarks, demos and other processes. Unauthenticated on purpose: it is
 * a local test tool bound to 127.0.0.1 by default.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { formatFunnel } from './format-funnel.js';
import type { RecordLog } from '../record-log.js';
import type { ReceiverState } from './receiver-state.js';

const DEFAULT_PAGE = 1000;
const MAX_PAGE = 10_000;

type Query = Record<string, string | undefined>;

export function registerControlApi(app: FastifyInstance, state: ReceiverState, reset: () => void): void {
  const page = <T>(log: RecordLog<T>, q: Query) => {
    const since = Math.max(0, Number(q.since ?? 0) || 0);
    const limit = Math.min(MAX_PAGE, Math.max(1, Number(q.limit ?? DEFAULT_PAGE) || DEFAULT_PAGE));
    const { from, items } = log.since(since, limit);
    return { count: log.total, since: from, next: from + items.length, items };
  };

  app.get<{ Querystring: Query }>('/_sim/dlr', (req) => page(state.dlrLog, req.query));
  app.get<{ Querystring: Query }>('/_sim/imo', (req) => page(state.imoLog, req.query));
  app.get<{ Querystring: Query }>('/_sim/rejected', (req) => page(state.rejectedLog, req.query));
  app.get('/_sim/violations', () => ({ violations: state.book.orderViolations() }));
  app.get<{ Params: { msgId: string } }>('/_sim/statuses/:msgId', (req) => ({
    msgId: req.params.msgId,
    statuses: state.book.statusesOf(req.params.msgId),
  }));

  app.get<{ Params: { campaignId: string }; Querystring: Query }>('/_sim/funnel/:campaignId', (req, reply) => {
    const funnel = state.book.funnel(req.params.campaignId);
    if (req.query.format === 'table') return reply.type('text/plain; charset=utf-8').send(formatFunnel(funnel) + '\n');
    return funnel;
  });

  app.post<{ Body: unknown }>('/_sim/fail', (req, reply) =>
    steer(reply, () => {
      const b = parseBody(req.body);
      state.faults.failFor({ status: Number(b.status ?? 503) as 500 | 503 | 429, durationMs: Number(b.durationMs) });
    }),
  );
  app.post<{ Body: unknown }>('/_sim/timeout', (req, reply) =>
    steer(reply, () => {
      const b = parseBody(req.body);
      state.faults.timeoutFor({ durationMs: Number(b.durationMs), ...(b.holdMs !== undefined ? { holdMs: Number(b.holdMs) } : {}) });
    }),
  );
  app.post<{ Body: unknown }>('/_sim/slow', (req, reply) =>
    steer(reply, () => {
      const b = parseBody(req.body);
      state.faults.slowFor({ delayMs: Number(b.delayMs), durationMs: Number(b.durationMs) });
    }),
  );
  app.post('/_sim/healthy', () => {
    state.faults.healthy();
    return { ok: true };
  });
  app.post('/_sim/reset', () => {
    reset();
    return { ok: true };
  });
}

/** Applies a fault command; a bad argument (RangeError from the schedule) becomes a 400. */
function steer(reply: FastifyReply, apply: () => void): FastifyReply {
  try {
    apply();
    return reply.send({ ok: true });
  } catch (e) {
    return reply.code(400).send({ error: (e as Error).message });
  }
}

function parseBody(body: unknown): Record<string, unknown> {
  let v = body;
  if (Buffer.isBuffer(v)) {
    try {
      v = JSON.parse(v.toString('utf8'));
    } catch {
      throw new RangeError('the body must be a JSON object');
    }
  }
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RangeError('the body must be a JSON object');
  return v as Record<string, unknown>;
}
