/**
 * @module store/postgres/postgres-message-events
 * A message's timeline events on Postgres. `append` queues them as effects of the next write
 * batch: every event of a commit goes in one statement, however many there are.
 */
import type pg from 'pg';
import { toCallbackRecord, toMessageEvent, type CallbackRecord, type CallbackRecordRow, type MessageEvent, type MessageEventRow, type MessageEvents } from '../message-events.js';
import type { PgEffects } from './pg-effects.js';
import { loadPgSql, run } from './pg-sql.js';
import type { PgWriteBatcher } from './pg-write-batcher.js';

export class PostgresMessageEvents implements MessageEvents {
  readonly #pool: pg.Pool;
  readonly #writes: PgWriteBatcher;
  readonly #effects: PgEffects;
  readonly #list = loadPgSql('message-events-list');
  readonly #callbacks = loadPgSql('callbacks-about');

  constructor(pool: pg.Pool, writes: PgWriteBatcher, effects: PgEffects) {
    this.#pool = pool;
    this.#writes = writes;
    this.#effects = effects;
  }

  async append(events: readonly MessageEvent[]): Promise<void> {
    if (events.length > 0) await this.#writes.write(async (client) => this.#effects.add(client, { events }));
  }

  async list(messageId: string): Promise<MessageEvent[]> {
    return (await run<MessageEventRow>(this.#pool, this.#list, [messageId])).rows.map(toMessageEvent);
  }

  async callbacksAbout(messageRef: string): Promise<CallbackRecord[]> {
    return (await run<CallbackRecordRow>(this.#pool, this.#callbacks, [messageRef])).rows.map(toCallbackRecord);
  }
}
