/**
 * @module store/sqlite/sqlite-message-stats
 * The dashboard's aggregates on the embedded database. Each statement over the messages walks the
 * index of its most selective filter (a campaign, an account, or time alone: migration 011),
 * pinned with `INDEXED BY` as the message search's are, and aggregates in SQL: the caller gets
 * a few hundred rows, never the messages.
 */
import type { Statement } from 'better-sqlite3';
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
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';

type Driver = 'campaign' | 'account' | 'time';

const DRIVERS: Record<Driver, { index: string; condition: string }> = {
  campaign: { index: 'messages_by_campaign', condition: 'campaign = @campaign AND' },
  account: { index: 'messages_by_account', condition: 'account_id = @accountId AND' },
  time: { index: 'messages_by_time', condition: '' },
};

const MAX_KEY = Number.MAX_SAFE_INTEGER;

/** How far out of time order links may be committed (writers read the clock at different moments). */
const CLOCK_SLACK_MS = 60_000;

function driverOf(query: { accountId?: string; campaign?: string }): Driver {
  if (query.campaign !== undefined) return 'campaign';
  if (query.accountId !== undefined) return 'account';
  return 'time';
}

/** One prepared statement per driver. */
function perDriver(db: SqliteDatabase, name: string, drivers: readonly Driver[]): Map<Driver, Statement> {
  const text = loadSql(import.meta.url, name);
  return new Map(drivers.map((driver) => [driver, db.prepare(text.replace('/*INDEX*/', DRIVERS[driver].index).replace('/*DRIVER*/', DRIVERS[driver].condition))]));
}

export class SqliteMessageStats implements MessageStats {
  readonly #overview: Map<Driver, Statement>;
  readonly #campaigns: Map<Driver, Statement>;
  readonly #replied: Statement;
  readonly #clicked: Statement;
  readonly #failures: Statement;
  readonly #linkKeys: Statement;
  readonly #linkAt: Statement;

  constructor(db: SqliteDatabase) {
    this.#overview = perDriver(db, 'stats-overview', ['campaign', 'account', 'time']);
    this.#campaigns = perDriver(db, 'stats-campaigns', ['account', 'time']);
    this.#replied = db.prepare(loadSql(import.meta.url, 'stats-replied'));
    this.#clicked = db.prepare(loadSql(import.meta.url, 'stats-clicked'));
    this.#failures = db.prepare(loadSql(import.meta.url, 'stats-failures'));
    this.#linkKeys = db.prepare(loadSql(import.meta.url, 'stats-link-keys'));
    this.#linkAt = db.prepare(loadSql(import.meta.url, 'stats-link-at'));
  }

  async overview(query: SeriesQuery): Promise<Overview> {
    const params = paramsOf({ ...query, to: seriesEnd(query) });
    const rows = this.#overview.get(driverOf(query))!.all({ ...params, bucketMs: query.bucketMs, lookbackFrom: query.from - SEND_LOOKBACK_MS }) as OverviewRow[];
    const replied = (this.#replied.get(params) as { replied: number }).replied;
    const clicked = (this.#clicked.get({ ...params, firstLink: this.#firstLinkSince(query.from - CLOCK_SLACK_MS) }) as { clicked: number }).clicked;
    return toOverview(query, rows, replied, clicked);
  }

  async failures(query: StatsQuery): Promise<FailureCount[]> {
    return (this.#failures.all(paramsOf(query)) as FailureRow[]).map(toFailureCount);
  }

  async campaigns(query: CampaignQuery): Promise<CampaignStats[]> {
    const limit = Math.max(1, Math.min(MAX_CAMPAIGNS, Math.floor(query.limit) || 1));
    const driver = query.accountId === undefined ? 'time' : 'account';
    const rows = this.#campaigns.get(driver)!.all({ ...paramsOf(query), limit }) as CampaignRow[];
    return rows.map(toCampaignStats);
  }

  /**
   * The first click link written at or after `at`, about: rowids follow creation order, so a
   * binary search over them (a few point reads) stands in for an index on created_at that
   * every message with a tracked link would pay for.
   */
  #firstLinkSince(at: number): number {
    const range = this.#linkKeys.get() as { first: number | null; last: number | null };
    if (range.first === null || range.last === null) return MAX_KEY;
    let low = range.first;
    let high = range.last + 1;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const row = this.#linkAt.get({ key: middle }) as { key: number; created_at: number } | undefined;
      if (!row || row.created_at >= at) high = middle;
      else low = row.key + 1;
    }
    return low;
  }
}

function paramsOf(query: StatsQuery) {
  return {
    accountId: query.accountId ?? null,
    campaign: query.campaign ?? null,
    from: query.from ?? -MAX_KEY,
    to: query.to ?? MAX_KEY,
  };
}
