/**
 * @module http/routes/admin-dashboard
 * The console's Dashboard: `GET /v1/admin/dashboard?account&campaign&from&to` answers, for the
 * messages accepted in the range (one account, one campaign, or all), the funnel (accepted →
 * sent → delivered → read, failed, replied, clicked), failures by Meta's error code with its
 * title, the account's latest campaigns with their funnels, and a series of buckets: messages
 * accepted and sent per bucket (the store's, store/message-stats.ts) and the gateway's answer
 * time and callback lag p50/p99 (this process's metrics: observability/latency-history.ts).
 *
 * The range defaults to the last hour; its buckets are 10 s up to an hour, wider for longer
 * ranges (at most 360 buckets), aligned on their width so consecutive polls line up. Counts are
 * per bucket: divide by `bucketMs` for a rate. Same access rule as the rest of the admin API.
 */
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import type { CampaignStats, FailureCount, Funnel } from '../../store/message-stats.js';
import { problem, ProblemSchema } from '../problem.js';
import { requireAdmin } from './admin.js';
import { parseTime } from './admin-messages.js';

export interface DashboardQuery {
  accountId?: string;
  campaign?: string;
  from: number;
  to: number;
  bucketMs: number;
}

export interface DashboardPoint {
  at: number;
  accepted: number;
  sent: number;
  /** Seconds, this process's CleverTap answers in the bucket. */
  answerP50?: number;
  answerP99?: number;
  /** Seconds from a callback owed to CleverTap accepting it, this process's, in the bucket. */
  callbackLagP50?: number;
  callbackLagP99?: number;
}

export interface Dashboard {
  funnel: Funnel;
  failures: FailureCount[];
  campaigns: CampaignStats[];
  series: DashboardPoint[];
}

export interface DashboardSource {
  dashboard(query: DashboardQuery): Promise<Dashboard>;
}

export interface AdminDashboardOptions {
  dashboard: DashboardSource;
  token?: string;
  now?: () => number;
}

/** Bucket widths, narrowest first: a range gets the narrowest that keeps it within MAX_POINTS. */
const BUCKETS_MS = [10_000, 30_000, 60_000, 300_000, 900_000, 3600_000, 6 * 3600_000, 24 * 3600_000];
const MAX_POINTS = 360;
const DEFAULT_RANGE_MS = 3600_000;
const MAX_RANGE_MS = 366 * 24 * 3600_000;

/** The bucket width for a range, and the range's start aligned on it. */
export function bucketsFor(from: number, to: number): { from: number; bucketMs: number } {
  const bucketMs = BUCKETS_MS.find((width) => (to - from) / width <= MAX_POINTS) ?? BUCKETS_MS[BUCKETS_MS.length - 1]!;
  return { from: Math.floor(from / bucketMs) * bucketMs, bucketMs };
}

const EPOCH_MS = (description: string) => Type.Integer({ description: `${description} (epoch milliseconds)` });
const COUNT = (description: string) => Type.Integer({ minimum: 0, description });
const SECONDS = (description: string) => Type.Optional(Type.Number({ description: `${description} (seconds; absent when nothing was observed)` }));

const FunnelCounts = {
  accepted: COUNT('messages accepted in the range'),
  sent: COUNT('of which Meta reported sent (or later: delivered, read)'),
  delivered: COUNT('of which delivered (or read)'),
  read: COUNT('of which read'),
  failed: COUNT('of which failed'),
};

const DashboardSchema = Type.Object({
  range: Type.Object({ from: EPOCH_MS('first bucket start'), to: EPOCH_MS('end of the range'), bucketMs: Type.Integer({ description: 'bucket width in milliseconds' }) }),
  funnel: Type.Object({
    ...FunnelCounts,
    replied: COUNT('of which an inbound message replied to (its context names the message)'),
    clicked: COUNT('of which a tracked link was tapped (while its report is kept)'),
  }),
  failures: Type.Array(
    Type.Object({
      code: Type.String({ description: "Meta's error code, or the gateway's reason when Meta gave none" }),
      metaCode: Type.Optional(Type.Integer({ description: "Meta's error code" })),
      reason: Type.String({ description: "the gateway's reason, mapped to CleverTap's DLR code" }),
      title: Type.String({ description: "Meta's error title (or the gateway's own)" }),
      count: COUNT('failed messages'),
    }),
    { description: 'failed messages of the range by code, most frequent first' },
  ),
  campaigns: Type.Array(
    Type.Object({
      campaign: Type.String({ description: "the campaign part of CleverTap's msgId" }),
      accountId: Type.String(),
      firstAcceptedAt: EPOCH_MS('its first message in the range'),
      lastAcceptedAt: EPOCH_MS('its latest message in the range'),
      funnel: Type.Object(FunnelCounts),
    }),
    { description: "the account's (or every account's) campaigns with messages in the range, most recently active first (at most 20)" },
  ),
  series: Type.Array(
    Type.Object({
      at: EPOCH_MS("the bucket's start"),
      accepted: COUNT('messages accepted in the bucket'),
      sent: COUNT('messages Meta accepted (a wamid came back) in the bucket'),
      answerP50: SECONDS("the gateway's answer time to CleverTap, median, this process"),
      answerP99: SECONDS("the gateway's answer time to CleverTap, 99th percentile, this process"),
      callbackLagP50: SECONDS('from a callback owed to CleverTap accepting it, median, this process'),
      callbackLagP99: SECONDS('from a callback owed to CleverTap accepting it, 99th percentile, this process'),
    }),
    { description: 'one entry per bucket of the range, empty ones included' },
  ),
});

export const ADMIN_DASHBOARD_SCHEMA = {
  summary: 'The funnel, failures by code, campaigns and rates over time of the messages accepted in a range',
  description:
    'Messages accepted in [from, to) (default: the last hour), for one account, one campaign, or all. Answer time and callback lag are this process\'s (since it started; on a scaled-out gateway, this replica\'s).',
  tags: ['messages'],
  querystring: Type.Object(
    {
      account: Type.Optional(Type.String({ description: 'account id' })),
      campaign: Type.Optional(Type.String({ description: "the campaign part of CleverTap's msgId" })),
      from: Type.Optional(Type.String({ description: 'accepted at or after: epoch milliseconds or an ISO 8601 time (default: an hour before `to`)' })),
      to: Type.Optional(Type.String({ description: 'accepted before: epoch milliseconds or an ISO 8601 time (default: now)' })),
    },
    { additionalProperties: false },
  ),
  response: { 200: DashboardSchema, 400: ProblemSchema },
};

export const adminDashboardRoutes: FastifyPluginAsync<AdminDashboardOptions> = async (app, { dashboard, token, now = Date.now }) => {
  requireAdmin(app, token);

  app.get<{ Querystring: { account?: string; campaign?: string; from?: string; to?: string } }>('/v1/admin/dashboard', { schema: ADMIN_DASHBOARD_SCHEMA }, async (request, reply) => {
    const { account, campaign } = request.query;
    const errors: Array<{ field: string; message: string }> = [];
    const timeOf = (field: 'from' | 'to') => {
      const text = request.query[field];
      if (text === undefined) return undefined;
      const time = parseTime(text);
      if (time === undefined) errors.push({ field, message: `"${text}" is neither epoch milliseconds nor an ISO 8601 time` });
      return time;
    };
    const askedFrom = timeOf('from');
    const to = timeOf('to') ?? now();
    const from = askedFrom ?? to - DEFAULT_RANGE_MS;
    if (errors.length === 0 && from >= to) errors.push({ field: 'from', message: 'must be before `to`' });
    if (errors.length === 0 && to - from > MAX_RANGE_MS) errors.push({ field: 'from', message: 'the range is longer than a year' });
    if (errors.length > 0) return problem(reply, 400, 'the query string is not valid', errors);
    const buckets = bucketsFor(from, to);
    const query: DashboardQuery = { from: buckets.from, to, bucketMs: buckets.bucketMs };
    if (account) query.accountId = account;
    if (campaign) query.campaign = campaign;
    const answer = await dashboard.dashboard(query);
    return reply.type('application/json').send(JSON.stringify({ range: { from: query.from, to, bucketMs: query.bucketMs }, ...answer }));
  });
};
