/**
 * @module compose/dashboard
 * What the admin API's Dashboard route reads (http/routes/admin-dashboard.ts): the store's
 * aggregates (store/message-stats.ts) side by side, joined with this process's answer-time and
 * callback-lag history (observability/latency-history.ts), sampled while the gateway runs.
 *
 * The campaign list is the costliest question (a pass over the account's messages) and the
 * least urgent: it is kept for `CAMPAIGNS_TTL_MS` per account and range width, so a console
 * polling every few seconds asks it a few times a minute, not every poll.
 */
import type { DashboardPoint, DashboardSource } from '../http/routes/admin-dashboard.js';
import { LatencyHistories, type LatencyPoint } from '../observability/latency-history.js';
import { CLEVERTAP_ROUTE } from '../observability/meters.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { CampaignStats } from '../store/message-stats.js';
import type { Storage } from '../store/storage.js';

const CAMPAIGNS_SHOWN = 20;
const CAMPAIGNS_TTL_MS = 15_000;

export interface DashboardService extends DashboardSource {
  /** Stops sampling the latency histograms. */
  stop(): void;
}

export function dashboardSource(storage: Pick<Storage, 'stats'>, metrics?: GatewayMetrics, now: () => number = Date.now): DashboardService {
  const latency = metrics ? new LatencyHistories({ answer: metrics.requestDuration.cell({ route: CLEVERTAP_ROUTE }), lag: metrics.callbackLag.cell({}) }) : undefined;
  const campaignsCache = new Map<string, { at: number; rows: Promise<CampaignStats[]> }>();
  const campaignsOf = (accountId: string | undefined, from: number, to: number) => {
    const key = `${accountId ?? ''}\u0000${to - from}`;
    const cached = campaignsCache.get(key);
    if (cached && now() - cached.at < CAMPAIGNS_TTL_MS) return cached.rows;
    const rows = storage.stats.campaigns({ ...(accountId !== undefined ? { accountId } : {}), from, to, limit: CAMPAIGNS_SHOWN });
    campaignsCache.set(key, { at: now(), rows });
    rows.catch(() => campaignsCache.delete(key));
    return rows;
  };
  return {
    async dashboard(query) {
      const { accountId, campaign, from, to } = query;
      const scope = { ...(accountId !== undefined ? { accountId } : {}), ...(campaign !== undefined ? { campaign } : {}) };
      const [overview, failures, campaigns] = await Promise.all([storage.stats.overview(query), storage.stats.failures({ ...scope, from, to }), campaignsOf(accountId, from, to)]);
      const answers = latency?.histories.answer.range(query.from, query.from + overview.series.length * query.bucketMs, query.bucketMs);
      const lags = latency?.histories.lag.range(query.from, query.from + overview.series.length * query.bucketMs, query.bucketMs);
      const series = overview.series.map((bucket, index): DashboardPoint => {
        const point: DashboardPoint = { at: bucket.at, accepted: bucket.accepted, sent: bucket.sent };
        copyQuantiles(answers?.[index], (p50, p99) => {
          point.answerP50 = p50;
          point.answerP99 = p99;
        });
        copyQuantiles(lags?.[index], (p50, p99) => {
          point.callbackLagP50 = p50;
          point.callbackLagP99 = p99;
        });
        return point;
      });
      return { funnel: overview.funnel, failures, campaigns, series };
    },
    stop: () => latency?.stop(),
  };
}

function copyQuantiles(point: LatencyPoint | undefined, set: (p50: number, p99: number) => void): void {
  if (point?.p50 !== undefined && point.p99 !== undefined) set(point.p50, point.p99);
}
