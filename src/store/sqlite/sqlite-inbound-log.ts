/**
 * @module store/sqlite/sqlite-inbound-log
 * The inbound log in the embedded database; first sightings and their effects share a commit.
 */
import type { Effects } from '../effects.js';
import type { InboundLog, InboundRecord } from '../inbound-log.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { sqliteEffectsFor, type SqliteEffects } from './sqlite-effects.js';
import { loadSql } from './sql-loader.js';
import { writeBatcherFor, type WriteBatcher } from './write-batcher.js';

export class SqliteInboundLog implements InboundLog {
  readonly #writes: WriteBatcher;
  readonly #effects: SqliteEffects;
  readonly #insert;
  readonly #last;

  constructor(db: SqliteDatabase) {
    this.#writes = writeBatcherFor(db);
    this.#effects = sqliteEffectsFor(db);
    this.#insert = db.prepare(loadSql(import.meta.url, 'insert-inbound'));
    this.#last = db.prepare(loadSql(import.meta.url, 'last-inbound')).pluck();
  }

  async lastInboundAt(accountId: string, sender: string): Promise<number | undefined> {
    const last = this.#last.get(accountId, sender) as number | bigint | null;
    return last === null || last === undefined ? undefined : Number(last);
  }

  async record(entry: InboundRecord, effects?: Effects): Promise<boolean> {
    return this.#writes.write(() => {
      const { changes } = this.#insert.run(
        entry.wamid,
        entry.accountId,
        entry.sender,
        entry.contextMsgId ?? null,
        entry.receivedAt,
        entry.kind ?? null,
        entry.text ?? null,
        entry.mediaUrl ?? null,
      );
      if (changes === 1) this.#effects.apply(effects);
      return changes === 1;
    });
  }
}
