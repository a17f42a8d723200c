/**
 * @module store/message-stats
 * The operator's dashboard, read from the store: the funnel of the messages accepted in a time
 * range (accepted → sent → delivered → read, failed, replied, clicked) with rates over time in
 * buckets, failures by Meta's error code, and the latest campaigns with their own funnels.
 *
 * Counts are over a cohort: the messages *accepted* in `[from, to)` (for one account, one
 * campaign, or all), each counted once at the furthest it got — a message read without a
 * `delivered` webhook still counts as delivered, one that failed after Meta sent it still counts
 * as sent. Aggregation is the store's work: the funnel and the series come from one pass over
 * the range's index, so a dashboard over 100,000 messages receives a few hundred rows, never the
 * messages.
 *
 * What is counted comes from what the hot path already writes (no counter is kept for the
 * dashboard): the message's state timestamps and Graph latency, the inbound messages whose
 * context names its msgId (a reply), and for a click, a `clicked` delivery report owed about a
 * message that carries a tracked link (kept until retention forgets delivered callbacks).
 * Callback lag and the gateway's answer time are not stored per message: the process's metrics
 * have them (observability/latency-history.ts). Reading each callback to time it would cost a
 * dashboard more than the messages themselves (three callbacks a message).
 */

export interface StatsQuery {
  accountId?: string;
  /** The campaign part of the msgId (store/message-events.ts `campaignOf`). */
  campaign?: string;
  /** Accepted at or after, epoch ms. */
  from?: number;
  /** Accepted before, epoch ms. */
  to?: number;
}

export interface Funnel {
  accepted: number;
  /** Meta reported it sent (or anything later: delivered, read). */
  sent: number;
  /** Delivered to the phone (or read). */
  delivered: number;
  read: number;
  failed: number;
  /** Messages an inbound message replied to (its context names the message's msgId). */
  replied: number;
  /** Messages with a tracked link tapped (a `clicked` report about them is still kept). */
  clicked: number;
}

export interface FailureCount {
  /** Meta's error code, or the gateway's reason when Meta gave none (`expired`, `outside_window`…). */
  code: string;
  metaCode?: number;
  /** The gateway's reason (domain/failure.ts), as mapped to CleverTap's DLR code. */
  reason: string;
  /** Meta's error title (or the gateway's own, for a reason of its own). */
  title: string;
  count: number;
}

export interface CampaignQuery {
  accountId?: string;
  from?: number;
  to?: number;
  /** How many campaigns, most recently active first. */
  limit: number;
}

export interface CampaignStats {
  campaign: string;
  accountId: string;
  /** When its first and latest messages in the range were accepted. */
  firstAcceptedAt: number;
  lastAcceptedAt: number;
  funnel: Omit<Funnel, 'replied' | 'clicked'>;
}

export interface SeriesQuery {
  accountId?: string;
  campaign?: string;
  from: number;
  to: number;
  /** Bucket width, ms; buckets start at `from`. */
  bucketMs: number;
}

export interface SeriesBucket {
  /** The bucket's start, epoch ms. */
  at: number;
  /** Messages accepted in the bucket. */
  accepted: number;
  /** Messages Meta accepted (a wamid came back) in the bucket. */
  sent: number;
}

export interface Overview {
  /** The cohort of `[from, to)`: `to` is the end of the last bucket. */
  funnel: Funnel;
  /** One entry per bucket of `[from, to)`, empty buckets included. */
  series: SeriesBucket[];
}

export interface MessageStats {
  /** The funnel and the rates over time of the messages accepted in the range. */
  overview(query: SeriesQuery): Promise<Overview>;
  /** Failed messages of the cohort by code, most frequent first. */
  failures(query: StatsQuery): Promise<FailureCount[]>;
  /** The campaigns with messages in the range, the most recently active first. */
  campaigns(query: CampaignQuery): Promise<CampaignStats[]>;
}

/**
 * Sends are bucketed by when they were sent, which no index orders: the series reads the
 * messages accepted from this long before the range, so a backlog sent a little late is still
 * counted (a send later than this after its acceptance is left out of the rate, not the funnel).
 */
export const SEND_LOOKBACK_MS = 10 * 60_000;

/** Most campaigns a dashboard lists. */
export const MAX_CAMPAIGNS = 100;
/** Most buckets a series answers. */
export const MAX_BUCKETS = 2000;

/** How many buckets a series query has (at most MAX_BUCKETS). */
function bucketCount(query: SeriesQuery): number {
  return Math.min(MAX_BUCKETS, Math.max(0, Math.ceil((query.to - query.from) / query.bucketMs)));
}

/** Empty buckets of `[from, to)`, for the adapters to fill. */
export function emptySeries(query: SeriesQuery): SeriesBucket[] {
  const count = bucketCount(query);
  return Array.from({ length: count }, (_, index) => ({ at: query.from + index * query.bucketMs, accepted: 0, sent: 0 }));
}

/**
 * A row of the overview statement: per (acceptance bucket, send bucket), the messages and how
 * far they got; a bucket is -1 for a time outside the range (a message accepted in the lookback,
 * or not sent in the range).
 */
export interface OverviewRow {
  accepted_bucket: number | string;
  sent_bucket: number | string;
  count: number | string;
  sent: number | string;
  delivered: number | string;
  read: number | string;
  failed: number | string;
  [column: string]: unknown;
}

/** The overview from its statement's rows, and the replies and clicks counted apart. */
export function toOverview(query: SeriesQuery, rows: readonly OverviewRow[], replied: unknown, clicked: unknown): Overview {
  const series = emptySeries(query);
  const funnel = toFunnel(undefined, replied, clicked);
  for (const row of rows) {
    const count = Number(row.count);
    const accepted = series[Number(row.accepted_bucket)];
    if (accepted) {
      accepted.accepted += count;
      funnel.accepted += count;
      funnel.sent += Number(row.sent);
      funnel.delivered += Number(row.delivered);
      funnel.read += Number(row.read);
      funnel.failed += Number(row.failed);
    }
    const sent = series[Number(row.sent_bucket)];
    if (sent) sent.sent += count;
  }
  return { funnel, series };
}

/** The end of the last bucket of a series query (at most MAX_BUCKETS of them). */
export function seriesEnd(query: SeriesQuery): number {
  return query.from + bucketCount(query) * query.bucketMs;
}

/** A funnel row (SUMs are NULL over no row, and int8 text on Postgres). */
export function toFunnel(row: Record<string, unknown> | undefined, replied: unknown, clicked: unknown): Funnel {
  const n = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));
  return {
    accepted: n(row?.accepted),
    sent: n(row?.sent),
    delivered: n(row?.delivered),
    read: n(row?.read),
    failed: n(row?.failed),
    replied: n(replied),
    clicked: n(clicked),
  };
}

export interface FailureRow {
  meta_code: number | string | null;
  reason: string | null;
  title: string | null;
  count: number | string;
  [column: string]: unknown;
}

export function toFailureCount(row: FailureRow): FailureCount {
  const failure: FailureCount = {
    code: row.meta_code !== null ? String(row.meta_code) : (row.reason ?? 'unknown'),
    reason: row.reason ?? 'other',
    title: row.title ?? '',
    count: Number(row.count),
  };
  if (row.meta_code !== null) failure.metaCode = Number(row.meta_code);
  return failure;
}

export interface CampaignRow {
  campaign: string;
  account_id: string;
  first_at: number | string;
  last_at: number | string;
  [column: string]: unknown;
}

export function toCampaignStats(row: CampaignRow): CampaignStats {
  const { replied: _replied, clicked: _clicked, ...funnel } = toFunnel(row, 0, 0);
  return { campaign: row.campaign, accountId: row.account_id, firstAcceptedAt: Number(row.first_at), lastAcceptedAt: Number(row.last_at), funnel };
}
