/**
 * @module sim/meta/control-api
 * `/_sim/*`: a JSON control surface so a standalone simulator (`wabridge sim meta`) can be
 * inspected and steered from benchmarks, demos and other processes. Unauthenticated on
 * purpose: it is a local test tool and binds to 127.0.0.1 by default.
 */
import type { FastifyInstance } from 'fastify';
import type { SimCore } from './core.js';
import type { ChaosOptions } from './chaos.js';
import { checkNetworkFault, type NetworkFault, type NetworkFaults } from './network-faults.js';
import type { SeedTemplate, TemplateStatus } from './default-templates.js';
import type { TemplateStatusDetails } from './template-events.js';
import type { VerifyWebhookResult } from './handshake.js';
import { InboundInputError, type InboundInput } from './inbound.js';
import type { RecordLog } from '../record-log.js';
import { TEMPLATE_STATUSES, projectTemplate } from './templates.js';

const DEFAULT_PAGE = 1000;
const MAX_PAGE = 10_000;

export interface ControlHooks {
  setWebhookUrl(url: string | undefined): void;
  reset(): void;
  verifyWebhook(options: { verifyToken: string; url?: string }): Promise<VerifyWebhookResult>;
  network: NetworkFaults;
}

export function registerControlApi(app: FastifyInstance, core: SimCore, hooks: ControlHooks): void {
  const page = <T>(log: RecordLog<T>, q: Record<string, string | undefined>) => {
    const since = Math.max(0, Number(q.since ?? 0) || 0);
    const limit = Math.min(MAX_PAGE, Math.max(1, Number(q.limit ?? DEFAULT_PAGE) || DEFAULT_PAGE));
    const { from, items } = log.since(since, limit);
    return { count: log.total, since: from, next: from + items.length, items };
  };

  app.get<{ Querystring: Record<string, string | undefined> }>('/_sim/accepted', (req) => page(core.acceptedLog, req.query));
  app.get<{ Querystring: Record<string, string | undefined> }>('/_sim/rejected', (req) => page(core.rejectedLog, req.query));
  app.get<{ Querystring: Record<string, string | undefined> }>('/_sim/webhooks', (req) => page(core.webhooks.log, req.query));
  app.get('/_sim/stats', () => core.stats());

  app.post('/_sim/reset', () => {
    hooks.reset();
    return { ok: true };
  });

  app.put<{ Body: unknown }>('/_sim/webhook-url', (req, reply) => {
    const body = parseBody(req.body);
    const url = body?.url;
    if (url === null || url === undefined || url === '') {
      hooks.setWebhookUrl(undefined);
      return { url: null };
    }
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url) || !URL.canParse(url)) {
      return reply.code(400).send({ error: 'url must be an http(s) URL or null' });
    }
    hooks.setWebhookUrl(url);
    return { url };
  });

  app.get('/_sim/templates', () => ({ data: core.templates.all().map((t) => projectTemplate(t, undefined)) }));

  app.post<{ Body: unknown }>('/_sim/templates', (req, reply) => {
    const body = parseBody(req.body);
    const problem = templateProblem(body);
    if (problem) return reply.code(400).send({ error: problem });
    const t = core.upsertTemplate(body as unknown as SeedTemplate);
    return projectTemplate(t, undefined);
  });

  // A real change also POSTs `message_template_status_update`; `changed` says whether it did.
  app.post<{ Params: { id: string }; Body: unknown }>('/_sim/templates/:id/status', (req, reply) => {
    const body = parseBody(req.body);
    const status = body?.status;
    if (typeof status !== 'string' || !TEMPLATE_STATUSES.includes(status.toUpperCase() as TemplateStatus)) {
      return reply.code(400).send({ error: `status must be one of ${TEMPLATE_STATUSES.join(', ')}` });
    }
    const details = statusDetails(body as Record<string, unknown>);
    if (typeof details === 'string') return reply.code(400).send({ error: details });
    const result = core.setTemplateStatus(req.params.id, status.toUpperCase() as TemplateStatus, details);
    if (!result) return reply.code(404).send({ error: `no template with id ${req.params.id}` });
    return { ...projectTemplate(result.template, undefined), changed: result.changed };
  });

  app.post<{ Body: unknown }>('/_sim/media', (req, reply) => {
    const mimeType = (req.headers['content-type'] ?? 'application/octet-stream').split(';')[0]?.trim() ?? '';
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) return reply.code(400).send({ error: 'send the file bytes as the body' });
    return { id: core.media.add(req.body, mimeType).id };
  });

  app.post<{ Body: unknown }>('/_sim/windows', (req, reply) => {
    const body = parseBody(req.body);
    const waId = body?.wa_id;
    const phoneNumberId = body?.phone_number_id;
    if (typeof waId !== 'string' || !/^\d{7,15}$/.test(waId)) return reply.code(400).send({ error: 'wa_id must be 7-15 digits' });
    if (phoneNumberId === undefined) core.windows.openForever(waId);
    else if (typeof phoneNumberId === 'string' && core.phones.has(phoneNumberId)) core.windows.touch(phoneNumberId, waId);
    else return reply.code(400).send({ error: 'phone_number_id must be one of the simulated numbers' });
    return { ok: true };
  });

  // Meta lowers or raises a number's throughput on its own (quality, upgrades): change it live.
  app.put<{ Params: { id: string }; Body: unknown }>('/_sim/numbers/:id/mps', (req, reply) => {
    const mps = (parseBody(req.body) as { mps?: unknown } | undefined)?.mps;
    if (typeof mps !== 'number' || !Number.isInteger(mps) || mps < 1) return reply.code(400).send({ error: 'mps must be a positive integer' });
    if (!core.setMessagesPerSecond(req.params.id, mps)) return reply.code(404).send({ error: 'no such simulated phone number id' });
    return { ok: true, mps };
  });

  app.get('/_sim/chaos', () => core.chaos.settings);

  app.put<{ Body: unknown }>('/_sim/chaos', (req, reply) => {
    const body = parseBody(req.body);
    if (!body) return reply.code(400).send({ error: 'body must be a JSON object' });
    try {
      return core.chaos.set(body as ChaosOptions);
    } catch (e) {
      return reply.code(400).send({ error: (e as Error).message });
    }
  });

  app.get('/_sim/network', () => hooks.network.status);

  // Refusing, resetting or hanging takes this API down with the Graph port (give `forMs`), and
  // cuts this very connection: the fault starts once the answer has gone out.
  app.put<{ Body: unknown }>('/_sim/network', (req, reply) => {
    const body = parseBody(req.body);
    if (!body) return reply.code(400).send({ error: 'body must be a JSON object' });
    const fault = body as unknown as NetworkFault;
    try {
      checkNetworkFault(fault);
    } catch (e) {
      return reply.code(400).send({ error: (e as Error).message });
    }
    reply.raw.once('finish', () => void hooks.network.set(fault));
    return { mode: fault.mode, latencyMs: fault.latencyMs ?? 0, forMs: fault.forMs ?? null };
  });

  app.get('/_sim/truth', () => ({ data: core.truth.all() }));

  app.post<{ Body: unknown }>('/_sim/inbound', (req, reply) => {
    const body = parseBody(req.body);
    if (!body) return reply.code(400).send({ error: 'body must be a JSON object' });
    try {
      return core.injectInbound(body as unknown as InboundInput);
    } catch (e) {
      if (e instanceof InboundInputError || e instanceof RangeError) return reply.code(400).send({ error: e.message });
      throw e;
    }
  });

  app.post<{ Body: unknown }>('/_sim/verify-webhook', async (req, reply) => {
    const body = parseBody(req.body);
    const verifyToken = body?.verify_token;
    const url = body?.url;
    if (typeof verifyToken !== 'string') return reply.code(400).send({ error: 'verify_token is required' });
    if (url !== undefined && (typeof url !== 'string' || !URL.canParse(url))) return reply.code(400).send({ error: 'url must be a URL' });
    try {
      return await hooks.verifyWebhook(url === undefined ? { verifyToken } : { verifyToken, url });
    } catch (e) {
      return reply.code(409).send({ error: (e as Error).message });
    }
  });
}

function parseBody(body: unknown): Record<string, unknown> | undefined {
  let v = body;
  if (Buffer.isBuffer(v)) {
    try {
      v = JSON.parse(v.toString('utf8'));
    } catch {
      return undefined;
    }
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** `reason`, `other_info {title, description}` and `rejection_info {reason, recommendation}`, as in the webhook. */
function statusDetails(body: Record<string, unknown>): TemplateStatusDetails | string {
  const details: TemplateStatusDetails = {};
  const { reason, other_info: otherInfo, rejection_info: rejectionInfo } = body;
  if (reason !== undefined) {
    if (reason !== null && typeof reason !== 'string') return 'reason must be a string or null';
    details.reason = reason;
  }
  if (otherInfo !== undefined) {
    const o = parseBody(otherInfo);
    if (typeof o?.title !== 'string' || typeof o.description !== 'string') return 'other_info must be {title, description}';
    details.otherInfo = { title: o.title, description: o.description };
  }
  if (rejectionInfo !== undefined) {
    const r = parseBody(rejectionInfo);
    if (typeof r?.reason !== 'string' || typeof r.recommendation !== 'string') return 'rejection_info must be {reason, recommendation}';
    details.rejectionInfo = { reason: r.reason, recommendation: r.recommendation };
  }
  return details;
}

function templateProblem(t: Record<string, unknown> | undefined): string | undefined {
  if (!t) return 'body must be a template object';
  if (typeof t.name !== 'string' || t.name === '') return 'name is required';
  if (typeof t.language !== 'string' || t.language === '') return 'language is required';
  if (!Array.isArray(t.components)) return 'components must be an array';
  if (t.status !== undefined && !TEMPLATE_STATUSES.includes(t.status as TemplateStatus)) return 'invalid status';
  if (t.parameter_format !== undefined && t.parameter_format !== 'POSITIONAL' && t.parameter_format !== 'NAMED') {
    return 'parameter_format must be POSITIONAL or NAMED';
  }
  return undefined;
}
