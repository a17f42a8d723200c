/**
 * @module store/postgres/postgres-retention-store
 * Retention on Postgres: one bounded DELETE per call, in its own short transaction (outside the
 * write batcher, so a batch of deletes never delays the hot writes' commit). Each reads an index
 * on the time that decides (created in the Postgres branch of the migrations).
 */
import type pg from 'pg';
import type { PrunableRecords, RetentionStore } from '../retention.js';
import { loadPgSql, run } from './pg-sql.js';

const STATEMENTS: Record<PrunableRecords, string> = {
  messages: 'retention-messages',
  deliveredCallbacks: 'retention-delivered-callbacks',
  // The callbacks given up on; the dead letters themselves are the queue's (JobQueue.pruneDead).
  deadLetters: 'retention-dead-letter-callbacks',
  inboundMessages: 'retention-inbound-messages',
  clickLinks: 'retention-click-links',
};

export class PostgresRetentionStore implements RetentionStore {
  readonly #pool: pg.Pool;
  readonly #sql = new Map(Object.entries(STATEMENTS).map(([records, name]) => [records as PrunableRecords, loadPgSql(name)]));

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async pruneBatch(records: PrunableRecords, olderThan: number, limit: number): Promise<number> {
    const statement = this.#sql.get(records);
    if (!statement) throw new Error(`no retention rule for ${records}`);
    const result = await run<{ removed?: number }>(this.#pool, statement, [olderThan, limit]);
    // Messages are removed with their events, and say how many messages went (retention-messages.sql).
    return records === 'messages' ? (result.rows[0]?.removed ?? 0) : result.rowCount;
  }
}
