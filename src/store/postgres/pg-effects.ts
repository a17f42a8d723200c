/**
 * @module store/postgres/pg-effects
 * Writes changes' effects (store/effects.ts) in their transaction: jobs, callbacks with their
 * delivery jobs, click links, opt-outs. An adapter that accepts effects hands them over with
 * `add(client, effects)` inside its (batched) write; they are written when that transaction is
 * about to commit (the write batcher calls `flush`), so all of it shares the change's commit.
 *
 * Written at the end, not as each change is made, because a batch then writes its effects a kind
 * at a time, one statement per kind (arrays bound as parameters), whatever their number: 500
 * statuses applied together owe their 500 reports in one statement rather than 500 round trips.
 * Nothing in a batch reads the effects of another of its writes, so the delay changes nothing but
 * the cost. If the flush fails, the batch rolls back and each write runs again alone, its effects
 * with it, as any failing write does. Jobs go to the embedded queue's table or to the job outbox
 * for a relay (`JobDestination`), as on SQLite.
 */
import type pg from 'pg';
import { CALLBACK_QUEUE, isEmpty, type Effects, type JobSpec } from '../effects.js';
import type { CallbackSpec } from '../callback-outbox.js';
import type { ClickLink } from '../click-links.js';
import type { MessageEvent } from '../message-events.js';
import { loadPgSql, run } from './pg-sql.js';

/** `queue`: the embedded queue's table; `outbox`: the job outbox, for a relay to an external queue. */
export type JobDestination = 'queue' | 'outbox';

export class PgEffects {
  readonly jobs: JobDestination;
  readonly #insertJobs;
  readonly #insertCallbacks;
  readonly #insertClickLinks = loadPgSql('insert-click-links');
  readonly #optOut = loadPgSql('opt-out');
  readonly #optIn = loadPgSql('opt-in');
  readonly #insertEvents = loadPgSql('insert-message-events');

  constructor(jobs: JobDestination = 'queue') {
    this.jobs = jobs;
    this.#insertJobs = loadPgSql(jobs === 'queue' ? 'insert-jobs' : 'insert-outbox-jobs');
    this.#insertCallbacks = loadPgSql(jobs === 'queue' ? 'insert-callbacks' : 'insert-callbacks-outbox');
  }

  readonly #pending = new Map<pg.PoolClient, Effects[]>();

  /** Queues `effects` for the transaction open on `client`; written by `flush`, before it commits. */
  add(client: pg.PoolClient, effects: Effects | undefined): void {
    if (isEmpty(effects)) return;
    const queued = this.#pending.get(client);
    if (queued) queued.push(effects!);
    else this.#pending.set(client, [effects!]);
  }

  /** Writes what was queued for `client`'s transaction, in the order it was added within each kind. */
  async flush(client: pg.PoolClient, now = Date.now()): Promise<void> {
    const all = this.#pending.get(client);
    if (!all) return;
    this.#pending.delete(client);
    await this.#write(client, all, now);
  }

  /** Forgets what was queued for `client`'s transaction (it rolled back). */
  discard(client: pg.PoolClient): void {
    this.#pending.delete(client);
  }

  async #write(client: pg.PoolClient, all: readonly Effects[], now: number): Promise<void> {
    const jobs: JobSpec[] = [];
    const callbacks: CallbackSpec[] = [];
    const clickLinks: ClickLink[] = [];
    const events: MessageEvent[] = [];
    for (const effects of all) {
      if (effects.events) events.push(...effects.events);
      if (effects.jobs) jobs.push(...effects.jobs);
      if (effects.callbacks) callbacks.push(...effects.callbacks);
      if (effects.clickLinks) clickLinks.push(...effects.clickLinks);
    }
    if (jobs.length > 0) await this.#insertJobsOf(client, jobs, now);
    if (callbacks.length > 0) {
      await run(client, this.#insertCallbacks, [
        callbacks.map((callback) => callback.accountId),
        callbacks.map((callback) => callback.kind),
        callbacks.map((callback) => callback.url),
        callbacks.map((callback) => callback.msgId ?? null),
        callbacks.map((callback) => callback.payload),
        now,
        CALLBACK_QUEUE,
        callbacks.map((callback) => callback.messageRef ?? null),
      ]);
    }
    if (clickLinks.length > 0) {
      await run(client, this.#insertClickLinks, [
        clickLinks.map((link) => link.code),
        clickLinks.map((link) => link.accountId),
        clickLinks.map((link) => link.messageId),
        clickLinks.map((link) => link.msgId),
        clickLinks.map((link) => link.url),
        clickLinks.map((link) => link.createdAt),
      ]);
    }
    if (events.length > 0) {
      await run(client, this.#insertEvents, [
        events.map((event) => event.messageId),
        events.map((event) => event.at),
        events.map((event) => event.kind),
        events.map((event) => event.state ?? null),
        events.map((event) => event.httpStatus ?? null),
        events.map((event) => (event.code === undefined ? null : String(event.code))),
        events.map((event) => event.title ?? null),
        events.map((event) => event.latencyMs ?? null),
        events.map((event) => event.url ?? null),
      ]);
    }
    // Opt-outs and opt-ins are rare and their order matters (STOP then START): one at a time.
    for (const effects of all) {
      if (effects.optOut) await run(client, this.#optOut, [effects.optOut.accountId, effects.optOut.recipient, effects.optOut.keyword, effects.optOut.optedOutAt]);
      if (effects.optIn) await run(client, this.#optIn, [effects.optIn.accountId, effects.optIn.recipient]);
    }
  }

  async #insertJobsOf(client: pg.PoolClient, jobs: readonly JobSpec[], now: number): Promise<void> {
    await run(client, this.#insertJobs, [
      jobs.map((job) => job.queue),
      jobs.map((job) => job.partitionKey),
      jobs.map((job) => job.ref),
      jobs.map((job) => job.runAt ?? now),
      now,
    ]);
  }
}
