/**
 * @module store/sqlite/sqlite-retention-store
 * Retention in the embedded database: one bounded DELETE per call, outside the write batcher
 * (a batch of deletes is its own short transaction, committed before the event loop moves on).
 */
import type { PrunableRecords, RetentionStore } from '../retention.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';

export class SqliteRetentionStore implements RetentionStore {
  readonly #prune: Record<PrunableRecords, (olderThan: number, limit: number) => number>;

  constructor(db: SqliteDatabase) {
    const statement = (name: string) => db.prepare(loadSql(import.meta.url, name));
    const one = (name: string) => {
      const prepared = statement(name);
      return (olderThan: number, limit: number) => prepared.run(olderThan, limit).changes;
    };
    // Bounded by creation time first, then filtered by the time that matters (see the SQL).
    const twice = (name: string) => {
      const prepared = statement(name);
      return (olderThan: number, limit: number) => prepared.run(olderThan, olderThan, limit).changes;
    };
    // A message's events go with it, in the same transaction.
    const messages = statement('retention-messages').pluck();
    const events = statement('message-events-delete');
    const pruneMessages = db.transaction((olderThan: number, limit: number) => {
      const ids = messages.all(olderThan, olderThan, limit) as string[];
      if (ids.length > 0) events.run(JSON.stringify(ids));
      return ids.length;
    });
    this.#prune = {
      messages: (olderThan, limit) => pruneMessages.immediate(olderThan, limit),
      deliveredCallbacks: twice('retention-delivered-callbacks'),
      // The callbacks given up on; the dead letters themselves are the queue's (JobQueue.pruneDead).
      deadLetters: one('retention-dead-letter-callbacks'),
      inboundMessages: one('retention-inbound-messages'),
      clickLinks: one('retention-click-links'),
    };
  }

  async pruneBatch(records: PrunableRecords, olderThan: number, limit: number): Promise<number> {
    return this.#prune[records](olderThan, limit);
  }
}
