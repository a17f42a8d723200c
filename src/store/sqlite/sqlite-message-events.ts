/**
 * @module store/sqlite/sqlite-message-events
 * A message's timeline events in the embedded database. `append` joins the connection's write
 * batch, so events issued beside other writes (a retry scheduled, a job acknowledged) share
 * their commit.
 */
import { toCallbackRecord, toMessageEvent, type CallbackRecord, type CallbackRecordRow, type MessageEvent, type MessageEventRow, type MessageEvents } from '../message-events.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { sqliteEffectsFor, type SqliteEffects } from './sqlite-effects.js';
import { loadSql } from './sql-loader.js';
import { writeBatcherFor, type WriteBatcher } from './write-batcher.js';

export class SqliteMessageEvents implements MessageEvents {
  readonly #writes: WriteBatcher;
  readonly #effects: SqliteEffects;
  readonly #list;
  readonly #callbacks;

  constructor(db: SqliteDatabase) {
    this.#writes = writeBatcherFor(db);
    this.#effects = sqliteEffectsFor(db);
    this.#list = db.prepare(loadSql(import.meta.url, 'message-events-list'));
    this.#callbacks = db.prepare(loadSql(import.meta.url, 'callbacks-about'));
  }

  async append(events: readonly MessageEvent[]): Promise<void> {
    if (events.length > 0) await this.#writes.write(() => this.#effects.apply({ events }));
  }

  async list(messageId: string): Promise<MessageEvent[]> {
    return (this.#list.all(messageId) as MessageEventRow[]).map(toMessageEvent);
  }

  async callbacksAbout(messageRef: string): Promise<CallbackRecord[]> {
    return (this.#callbacks.all(messageRef) as CallbackRecordRow[]).map(toCallbackRecord);
  }
}
