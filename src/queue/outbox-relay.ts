/**
 * @module queue/outbox-relay
 * Moves jobs the store committed into its job outbox (store/job-outbox.ts) into a queue that
 * lives elsewhere (BullMQ on Redis). One pass at a time, oldest first: take a batch, enqueue it
 * under ids derived from the outbox ids (`outboxJobId`), and only then remove it from the outbox.
 *
 * - Nothing is lost: a job leaves the outbox only after the queue has it.
 * - Nothing runs twice for a crash: a crash (or a failed `remove`) between enqueue and remove
 *   leaves the batch in the outbox, and the next pass enqueues it again under the same ids, which
 *   the queue ignores (BullMQ: as long as the job exists, and for its dedupe window after it
 *   completed — a relay down for longer than that window may enqueue its last batch again).
 * - Nothing is reordered within a partition: batches go in outbox (commit) order, one after the
 *   other, and the queue keeps a partition's jobs of one `enqueue` in order. Several relays on one
 *   outbox stay in order too: each adds in outbox order, and an id is added only once.
 *
 * `wake()` after a commit that added jobs; a slow poll (`pollMs`) catches what nobody announced
 * (commits by another process on the same store). On an error the relay logs it and tries again
 * after `retryMs`.
 *
 * The workers must be woken after the relay, not after the commit: woken at commit, a worker
 * looks before the jobs are in the queue, finds nothing and goes idle, and the jobs would then
 * wait for its slow sweep. `onRelayed` names the partitions each round filled.
 */
import type { Logger } from 'pino';
import type { JobOutbox, OutboxJob } from '../store/job-outbox.js';
import type { EnqueueSpec, JobQueue } from './job-queue.js';

export interface OutboxRelayOptions {
  outbox: JobOutbox;
  queue: JobQueue;
  logger: Logger;
  /** Jobs per take/enqueue/remove round (default 500). */
  batch?: number;
  /** How often to look without being woken (default 1 s). */
  pollMs?: number;
  /** How long to wait after a failed round before trying again (default `pollMs`). */
  retryMs?: number;
  /**
   * Several replicas: whether this one relays now (it holds the relay's lease). One relay at a
   * time keeps each message's jobs in commit order: two relays racing could enqueue a later
   * report before an earlier one. Absent: this process always relays.
   */
  mayRelay?(): Promise<boolean>;
  /** The partitions a round just filled (each once), for waking whoever works them. */
  onRelayed?(partitions: readonly RelayedPartition[]): void;
}

export interface RelayedPartition {
  queue: string;
  partitionKey: string;
}

/**
 * The queue id of an outbox job: `o` and the outbox id padded to 20 digits, so ids sort as the
 * jobs were committed (the BullMQ queue orders jobs put back together by id).
 */
export function outboxJobId(outboxId: string): string {
  return `o${outboxId.padStart(20, '0')}`;
}

export class OutboxRelay {
  readonly #options: Required<Omit<OutboxRelayOptions, 'onRelayed'>> & Pick<OutboxRelayOptions, 'onRelayed'>;
  #running = false;
  #pass: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: OutboxRelayOptions) {
    const pollMs = options.pollMs ?? 1000;
    this.#options = { batch: 500, retryMs: pollMs, mayRelay: async () => true, ...options, pollMs };
  }

  /** Starts relaying, beginning with whatever the outbox holds already. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.wake();
  }

  /** A commit just added jobs: relay them now (or right after the pass under way). */
  wake(): void {
    if (!this.#running) return;
    if (this.#pass) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  /** Stops, after the round under way (its jobs are enqueued and removed, or left for next time). */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#pass;
  }

  /** Relays until the outbox is empty; returns how many jobs moved. Throws what a round threw. */
  async drain(): Promise<number> {
    let moved = 0;
    for (;;) {
      if (!(await this.#options.mayRelay())) return moved;
      const jobs = await this.#options.outbox.take(this.#options.batch);
      if (jobs.length === 0) return moved;
      await this.#options.queue.enqueue(jobs.map(toEnqueueSpec));
      await this.#options.outbox.remove(jobs.map((job) => job.id));
      moved += jobs.length;
      this.#announce(jobs);
      if (jobs.length < this.#options.batch) return moved;
    }
  }

  #announce(jobs: readonly OutboxJob[]): void {
    const { onRelayed, logger } = this.#options;
    if (!onRelayed) return;
    const partitions = new Map<string, RelayedPartition>();
    for (const job of jobs) partitions.set(`${job.queue}\u0000${job.partitionKey}`, { queue: job.queue, partitionKey: job.partitionKey });
    try {
      onRelayed([...partitions.values()]);
    } catch (error) {
      // Waking only saves time (the workers' sweeps find the jobs): never a reason to relay again.
      logger.warn({ err: error }, 'waking the workers of relayed jobs failed');
    }
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#run(), delayMs);
    this.#timer.unref();
  }

  #run(): void {
    if (!this.#running || this.#pass) return;
    this.#again = false;
    this.#pass = this.drain().then(
      () => {
        this.#pass = undefined;
        if (this.#running) this.#schedule(this.#again ? 0 : this.#options.pollMs);
      },
      (error: unknown) => {
        this.#pass = undefined;
        this.#options.logger.error({ err: error }, 'relaying jobs from the outbox to the queue failed; trying again');
        if (this.#running) this.#schedule(this.#options.retryMs);
      },
    );
  }
}

function toEnqueueSpec(job: OutboxJob): EnqueueSpec {
  return { queue: job.queue, partitionKey: job.partitionKey, ref: job.ref, runAt: job.runAt, id: outboxJobId(job.id) };
}
