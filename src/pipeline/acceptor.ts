/**
 * @module pipeline/acceptor
 * Durable acceptance with group commit. Every request that arrives during one event-loop turn
 * joins the same transaction: one commit makes them all durable, and each is answered only
 * after it. At 1,500 concurrent requests this turns thousands of commits a second into tens.
 * Each new message's send job is enqueued in the same commit, so a message is never stored
 * without the work that will send it.
 */
import type { OutboundMessage } from '../domain/message.js';
import type { AcceptResult, MessageStore, TransactionHandle } from '../store/message-store.js';
import type { TrackedLink } from './click-tracking.js';
import type { JobQueue } from '../queue/job-queue.js';

export const SEND_QUEUE = 'send';

/** Thrown when more requests wait for a commit than the gateway is configured to hold. */
export class OverloadedError extends Error {
  override name = 'OverloadedError';
}

/** What else a new message's commit must carry. */
export interface AcceptExtras {
  clickLinks?: readonly TrackedLink[];
}

interface Pending {
  message: OutboundMessage;
  extras?: AcceptExtras;
  resolve(result: AcceptResult): void;
  reject(error: unknown): void;
}

export interface AcceptorOptions {
  store: MessageStore;
  queue: JobQueue;
  /** Requests waiting for a commit beyond which new ones are refused (answered 429). */
  maxPending: number;
  /** Largest batch committed at once; bigger bursts take several turns. */
  maxBatch?: number;
  /** Runs in the commit of each new message, with its extras (stores click-tracking links). */
  onInserted?(tx: TransactionHandle, message: OutboundMessage, extras: AcceptExtras | undefined): void;
  /** Called after each commit that stored new messages (wakes the dispatcher). */
  onCommitted?(accountIds: ReadonlySet<string>): void;
}

export class Acceptor {
  readonly #options: Required<Omit<AcceptorOptions, 'onCommitted' | 'onInserted'>> & Pick<AcceptorOptions, 'onCommitted' | 'onInserted'>;
  #pending: Pending[] = [];
  #flushScheduled = false;
  #committing = false;
  #stats = { commits: 0, messages: 0, duplicates: 0, largestBatch: 0 };

  constructor(options: AcceptorOptions) {
    this.#options = { maxBatch: 2000, ...options };
  }

  get pending(): number {
    return this.#pending.length;
  }

  get stats() {
    return { ...this.#stats };
  }

  accept(message: OutboundMessage, extras?: AcceptExtras): Promise<AcceptResult> {
    if (this.#pending.length >= this.#options.maxPending) {
      return Promise.reject(new OverloadedError(`${this.#pending.length} messages are waiting to be committed`));
    }
    return new Promise<AcceptResult>((resolve, reject) => {
      this.#pending.push(extras ? { message, extras, resolve, reject } : { message, resolve, reject });
      this.#scheduleFlush();
    });
  }

  /** Commits everything waiting now; resolves when the queue is empty. */
  async drain(): Promise<void> {
    while (this.#pending.length > 0 || this.#committing) await this.#flush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // setImmediate runs after the I/O callbacks of this turn: every request parsed in this
    // turn is in the batch.
    setImmediate(() => {
      this.#flushScheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#committing || this.#pending.length === 0) return;
    this.#committing = true;
    const batch = this.#pending.splice(0, this.#options.maxBatch);
    const { store, queue } = this.#options;
    const accounts = new Set<string>();
    const extrasById = new Map(batch.filter((entry) => entry.extras).map((entry) => [entry.message.id, entry.extras]));
    try {
      const results = await store.acceptMessages(
        batch.map((entry) => entry.message),
        (tx, message) => {
          queue.enqueueWithin(tx, { queue: SEND_QUEUE, partitionKey: message.accountId, ref: message.id });
          this.#options.onInserted?.(tx, message, extrasById.get(message.id));
          accounts.add(message.accountId);
        },
      );
      this.#stats.commits++;
      this.#stats.largestBatch = Math.max(this.#stats.largestBatch, batch.length);
      results.forEach((result, index) => {
        if (result.duplicate) this.#stats.duplicates++;
        else this.#stats.messages++;
        batch[index]!.resolve(result);
      });
      if (accounts.size > 0) this.#options.onCommitted?.(accounts);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.#committing = false;
      if (this.#pending.length > 0) this.#scheduleFlush();
    }
  }
}
