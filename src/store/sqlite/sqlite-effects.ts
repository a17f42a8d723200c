/**
 * @module store/sqlite/sqlite-effects
 * Writes a change's effects (store/effects.ts) on the connection's open transaction: callbacks
 * with their delivery jobs, jobs, click links, opt-outs. Every adapter that accepts effects calls
 * `apply` from inside its own (batched) transaction, so all of it shares the change's commit.
 *
 * Where jobs go (`JobDestination`): with the embedded queue, which reads the same database, the
 * job outbox is the queue's own `jobs` table, so committed is enqueued with no relay in between;
 * with an external queue they go to `job_outbox` for the relay (store/job-outbox.ts).
 */
import { CALLBACK_QUEUE, type Effects, type JobSpec } from '../effects.js';
import type { MessageEvent } from '../message-events.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';

/** `queue`: the embedded queue's table; `outbox`: the job outbox, for a relay to an external queue. */
export type JobDestination = 'queue' | 'outbox';

export class SqliteEffects {
  readonly #db: SqliteDatabase;
  readonly jobs: JobDestination;
  readonly #insertJob;
  readonly #insertCallback;
  readonly #insertClickLink;
  readonly #optOut;
  readonly #optIn;
  readonly #insertEvent;

  constructor(db: SqliteDatabase, jobs: JobDestination = 'queue') {
    this.#db = db;
    this.jobs = jobs;
    const sql = (name: string) => db.prepare(loadSql(import.meta.url, name));
    this.#insertJob = sql(jobs === 'queue' ? 'insert-job' : 'insert-outbox-job');
    this.#insertCallback = sql('insert-callback');
    this.#insertClickLink = sql('insert-click-link');
    this.#optOut = sql('opt-out');
    this.#optIn = sql('opt-in');
    this.#insertEvent = sql('message-event-insert');
  }

  /** Writes `effects`; must run inside a transaction on this connection. */
  apply(effects: Effects | undefined, now = Date.now()): void {
    if (!effects) return;
    if (!this.#db.inTransaction) throw new Error('SqliteEffects.apply needs an open transaction');
    if (effects.jobs) for (const job of effects.jobs) this.#job(job, now);
    if (effects.callbacks) {
      for (const callback of effects.callbacks) {
        const { lastInsertRowid } = this.#insertCallback.run(callback.accountId, callback.kind, callback.url, callback.msgId ?? null, callback.payload, now, callback.messageRef ?? null);
        this.#job({ queue: CALLBACK_QUEUE, partitionKey: callback.url, ref: String(lastInsertRowid) }, now);
      }
    }
    if (effects.clickLinks) {
      for (const link of effects.clickLinks) this.#insertClickLink.run(link.code, link.accountId, link.messageId, link.msgId, link.url, link.createdAt);
    }
    if (effects.optOut) this.#optOut.run(effects.optOut.accountId, effects.optOut.recipient, effects.optOut.keyword, effects.optOut.optedOutAt);
    if (effects.optIn) this.#optIn.run(effects.optIn.accountId, effects.optIn.recipient);
    if (effects.events) for (const event of effects.events) this.event(event);
  }

  /** Writes one event of a message's timeline; must run inside a transaction on this connection. */
  event(event: MessageEvent): void {
    this.#insertEvent.run(
      event.messageId,
      event.at,
      event.kind,
      event.state ?? null,
      event.httpStatus ?? null,
      event.code ?? null,
      event.title ?? null,
      event.latencyMs ?? null,
      event.url ?? null,
    );
  }

  #job(job: JobSpec, now: number): void {
    this.#insertJob.run(job.queue, job.partitionKey, job.ref, job.runAt ?? now, now);
  }
}

const shared = new WeakMap<SqliteDatabase, SqliteEffects>();

/**
 * The connection's effects writer (statements prepared once per connection). The first call
 * decides where its jobs go; `createSqliteStorage` makes it, before any adapter asks.
 */
export function sqliteEffectsFor(db: SqliteDatabase, jobs?: JobDestination): SqliteEffects {
  let effects = shared.get(db);
  if (!effects) shared.set(db, (effects = new SqliteEffects(db, jobs)));
  else if (jobs !== undefined && jobs !== effects.jobs) throw new Error(`this connection already writes jobs to its ${effects.jobs}`);
  return effects;
}
