/**
 * @module pipeline/acceptor
 * Durable acceptance with group commit. Every request that arrives during one event-loop turn
 * joins the same transaction: one commit makes them all durable, and each is answered only
 * after it. At 1,500 concurrent requests this turns thousands of commits a second into tens.
 * Each new message's send job (and its click-tracked links) is an effect of its acceptance, in
 * the same commit, so a message is never stored without the work that will send it.
 */
import type { OutboundMessage } from '../domain/message.js';
import { SEND_QUEUE, type Effects } from '../store/effects.js';
import type { Acceptance, AcceptResult, MessageStore, PreflightOutcome } from '../store/message-store.js';
import type { TrackedLink } from './click-tracking.js';

/** Thrown when more requests wait for a commit than the gateway is configured to hold. */
export class OverloadedError extends Error {
  override name = 'OverloadedError';
}

/** What else a new message's commit must carry. */
export interface AcceptExtras {
  clickLinks?: readonly TrackedLink[];
  /** How template pre-flight passed it, kept on the message for its timeline. */
  preflight?: PreflightOutcome;
}

interface Pending {
  message: OutboundMessage;
  extras?: AcceptExtras;
  resolve(result: AcceptResult): void;
  reject(error: unknown): void;
}

export interface AcceptorOptions {
  store: MessageStore;
  /** Requests waiting for a commit beyond which new ones are refused (answered 429). */
  maxPending: number;
  /** Largest batch committed at once; bigger bursts take several turns. */
  maxBatch?: number;
  /** Called after each commit that stored new messages (wakes the dispatcher). */
  onCommitted?(accountIds: ReadonlySet<string>): void;
  /** Told each new message stored, and how long each commit took (the gateway's metrics). */
  observe?: AcceptObserver;
}

export interface AcceptObserver {
  accepted(accountId: string): void;
  committed(seconds: number): void;
}

export class Acceptor {
  readonly #options: Required<Omit<AcceptorOptions, 'onCommitted' | 'observe'>> & Pick<AcceptorOptions, 'onCommitted' | 'observe'>;
  #pending: Pending[] = [];
  #flushScheduled = false;
  #committing = false;
  /** The commit in flight, for drain() to wait on (a bare re-check would spin on microtasks and starve that commit's I/O). */
  #inFlight: Promise<void> | undefined;
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
    while (this.#pending.length > 0 || this.#committing) await (this.#inFlight ?? this.#flush());
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

  #flush(): Promise<void> {
    if (this.#committing || this.#pending.length === 0) return Promise.resolve();
    this.#committing = true;
    this.#inFlight = this.#commit(this.#pending.splice(0, this.#options.maxBatch));
    return this.#inFlight;
  }

  async #commit(batch: Pending[]): Promise<void> {
    const accounts = new Set<string>();
    const { observe } = this.#options;
    try {
      const startedAt = performance.now();
      const results = await this.#options.store.acceptMessages(batch.map(acceptance));
      observe?.committed((performance.now() - startedAt) / 1000);
      this.#stats.commits++;
      this.#stats.largestBatch = Math.max(this.#stats.largestBatch, batch.length);
      results.forEach((result, index) => {
        const entry = batch[index]!;
        if (result.duplicate) this.#stats.duplicates++;
        else {
          this.#stats.messages++;
          accounts.add(entry.message.accountId);
          observe?.accepted(entry.message.accountId);
        }
        entry.resolve(result);
      });
      if (accounts.size > 0) this.#options.onCommitted?.(accounts);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.#committing = false;
      this.#inFlight = undefined;
      if (this.#pending.length > 0) this.#scheduleFlush();
    }
  }
}

/** What a new message's commit carries: its send job, and the short links of its tracked buttons. */
function acceptance({ message, extras }: Pending): Acceptance {
  const effects: Effects = { jobs: [{ queue: SEND_QUEUE, partitionKey: message.accountId, ref: message.id }] };
  if (extras?.clickLinks?.length) {
    effects.clickLinks = extras.clickLinks.map((link) => ({
      ...link,
      accountId: message.accountId,
      messageId: message.id,
      msgId: message.msgId,
      createdAt: message.acceptedAt,
    }));
  }
  return extras?.preflight ? { message, effects, preflight: extras.preflight } : { message, effects };
}
