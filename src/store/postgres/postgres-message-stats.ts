/**
 * @module store/postgres/postgres-message-stats
 * The dashboard's aggregates on Postgres: the statements of store/message-stats.ts, each with
 * the most selective filter asked leading (a campaign, an account, or time alone) so the planner
 * takes its index of migration 011. Run unnamed, so each is planned with its values (as the
 * message search's are): a generic plan cannot tell the filters not asked from the ones asked.
 * The statements of one overview run side by side on the pool.
 */
import type pg from 'pg';
import {
  MAX_CAMPAIGNS,
  SEND_LOOKBACK_MS,
  seriesEnd,
  toCampaignStats,
  toFailureCount,
  toOverview,
  type CampaignQuery,
  type CampaignRow,
  type CampaignStats,
  type FailureCount,
  type FailureRow,
  type MessageStats,
  type Overview,
  type OverviewRow,
  type SeriesQuery,
  type StatsQuery,
} from '../message-stats.js';
import { loadPgSql } from './pg-sql.js';

type Driver = 'campaign' | 'account' | 'time';

const DRIVER_CONDITIONS: Record<Driver, string> = {
  campaign: 'campaign = $2::text AND',
  account: 'account_id = $1::text AND',
  time: '',
};

const MAX_KEY = Number.MAX_SAFE_INTEGER;

function driverOf(query: { accountId?: string; campaign?: string }): Driver {
  if (query.campaign !== undefined) return 'campaign';
  if (query.accountId !== undefined) return 'account';
  return 'time';
}

function perDriver(name: string, drivers: readonly Driver[]): Map<Driver, string> {
  const text = loadPgSql(name).text;
  return new Map(drivers.map((driver) => [driver, text.replace('/*DRIVER*/', DRIVER_CONDITIONS[driver])]));
}

export class PostgresMessageStats implements MessageStats {
  readonly #pool: pg.Pool;
  readonly #overview = perDriver('stats-overview', ['campaign', 'account', 'time']);
  readonly #campaigns = perDriver('stats-campaigns', ['account', 'time']);
  readonly #replied = loadPgSql('stats-replied').text;
  readonly #clicked = loadPgSql('stats-clicked').text;
  readonly #failures = loadPgSql('stats-failures').text;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async overview(query: SeriesQuery): Promise<Overview> {
    const values = valuesOf({ ...query, to: seriesEnd(query) });
    const [rows, replied, clicked] = await Promise.all([
      this.#pool.query<OverviewRow>(this.#overview.get(driverOf(query))!, [...values, query.bucketMs, query.from - SEND_LOOKBACK_MS]),
      this.#pool.query<{ replied: string }>(this.#replied, values),
      this.#pool.query<{ clicked: string }>(this.#clicked, values),
    ]);
    return toOverview(query, rows.rows, replied.rows[0]?.replied, clicked.rows[0]?.clicked);
  }

  async failures(query: StatsQuery): Promise<FailureCount[]> {
    const { rows } = await this.#pool.query<FailureRow>(this.#failures, valuesOf(query));
    return rows.map(toFailureCount);
  }

  async campaigns(query: CampaignQuery): Promise<CampaignStats[]> {
    const limit = Math.max(1, Math.min(MAX_CAMPAIGNS, Math.floor(query.limit) || 1));
    const [accountId, , from, to] = valuesOf(query);
    const { rows } = await this.#pool.query<CampaignRow>(this.#campaigns.get(query.accountId === undefined ? 'time' : 'account')!, [accountId, from, to, limit]);
    return rows.map(toCampaignStats);
  }
}

/** `(accountId, campaign, from, to)`, the first four parameters of every statement. */
function valuesOf(query: StatsQuery): [string | null, string | null, number, number] {
  return [query.accountId ?? null, query.campaign ?? null, query.from ?? -MAX_KEY, query.to ?? MAX_KEY];
}
