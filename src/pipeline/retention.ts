/**
 * @module pipeline/retention
 * Keeps the database from growing without end: every `everyMs` it removes what the store says is
 * safe to forget (store/retention.ts) and older than the configured age, a batch at a time with
 * the event loop free between batches, so sends and webhooks are never held up behind a big
 * delete.
 */
import type { Logger } from 'pino';
import type { JobQueue } from '../queue/job-queue.js';
import { PRUNABLE_RECORDS, type PrunableRecords, type RetentionStore } from '../store/retention.js';

export const PRUNE_BATCH = 2_000;
const DAY_MS = 24 * 3600_000;
/** The first run waits this long after start, so a restart under load is not slowed by it. */
const FIRST_RUN_DELAY_MS = 60_000;

export interface RetentionPolicy {
  /** Days each kind of record is kept. */
  keepDays: Record<PrunableRecords, number>;
  everyMs: number;
}

export class RetentionJob {
  readonly #pruners: ReadonlyArray<{ kind: PrunableRecords; prune(olderThan: number, limit: number): Promise<number> }>;
  readonly #policy: RetentionPolicy;
  readonly #log: Logger;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<Record<PrunableRecords, number>> | undefined;
  #stopped = false;
  readonly #isLeader: () => boolean;

  /**
   * `queue`, when given, forgets its dead letters by the `deadLetters` age too. `isLeader`: with
   * several replicas, only the leader's schedule runs (one pass per cluster, not per replica).
   */
  constructor(options: {
    store: RetentionStore;
    queue?: Pick<JobQueue, 'pruneDead'>;
    policy: RetentionPolicy;
    logger: Logger;
    now?: () => number;
    isLeader?(): boolean;
  }) {
    const { store, queue } = options;
    this.#isLeader = options.isLeader ?? (() => true);
    this.#pruners = PRUNABLE_RECORDS.flatMap((kind) => {
      const own = { kind, prune: (olderThan: number, limit: number) => store.pruneBatch(kind, olderThan, limit) };
      return kind === 'deadLetters' && queue ? [own, { kind, prune: (olderThan: number, limit: number) => queue.pruneDead(olderThan, limit) }] : [own];
    });
    this.#policy = options.policy;
    this.#log = options.logger;
    this.#now = options.now ?? Date.now;
  }

  start(firstRunInMs = FIRST_RUN_DELAY_MS): void {
    this.#schedule(firstRunInMs);
  }

  /** Runs one pass now (or joins the one running); resolves with what each kind lost. */
  runOnce(): Promise<Record<PrunableRecords, number>> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  async #pass(): Promise<Record<PrunableRecords, number>> {
    const removed = Object.fromEntries(PRUNABLE_RECORDS.map((kind) => [kind, 0])) as Record<PrunableRecords, number>;
    const startedAt = this.#now();
    for (const { kind, prune } of this.#pruners) {
      const olderThan = startedAt - this.#policy.keepDays[kind] * DAY_MS;
      for (;;) {
        if (this.#stopped) return removed;
        const count = await prune(olderThan, PRUNE_BATCH);
        removed[kind] += count;
        if (count < PRUNE_BATCH) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const total = PRUNABLE_RECORDS.reduce((sum, kind) => sum + removed[kind], 0);
    if (total > 0) this.#log.info({ removed, ms: this.#now() - startedAt }, `retention removed ${total} old records`);
    return removed;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      if (!this.#isLeader()) return this.#schedule(this.#policy.everyMs);
      this.runOnce()
        .catch((error: unknown) => this.#log.error({ err: error }, 'retention pass failed; trying again at the next one'))
        .finally(() => this.#schedule(this.#policy.everyMs));
    }, delayMs);
    this.#timer.unref();
  }
}
