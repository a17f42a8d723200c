/**
 * @module store/sqlite/sqlite-inbound-log
 * The inbound log in the embedded database; first sightings and what they cause share a commit.
 */
import type { InboundLog, InboundRecord } from '../inbound-log.js';
import type { TransactionHandle } from '../message-store.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';
import { writeBatcherFor, type WriteBatcher } from './write-batcher.js';

export class SqliteInboundLog implements InboundLog {
  readonly #tx: TransactionHandle & { db: SqliteDatabase };
  readonly #writes: WriteBatcher;
  readonly #insert;
  readonly #last;

  constructor(db: SqliteDatabase) {
    this.#tx = { kind: 'sqlite', db };
    this.#writes = writeBatcherFor(db);
    this.#insert = db.prepare(loadSql(import.meta.url, 'insert-inbound'));
    this.#last = db.prepare(loadSql(import.meta.url, 'last-inbound')).pluck();
  }

  async lastInboundAt(accountId: string, sender: string): Promise<number | undefined> {
    const last = this.#last.get(accountId, sender) as number | bigint | null;
    return last === null || last === undefined ? undefined : Number(last);
  }

  async record(entry: InboundRecord, onNew: (tx: TransactionHandle) => void): Promise<boolean> {
    return this.#writes.write(() => {
      const { changes } = this.#insert.run(entry.wamid, entry.accountId, entry.sender, entry.contextMsgId ?? null, entry.receivedAt);
      if (changes === 1) onNew(this.#tx);
      return changes === 1;
    });
  }
}
