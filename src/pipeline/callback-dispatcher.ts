/**
 * @module pipeline/callback-dispatcher
 * Delivers what the outbox owes CleverTap. The queue is partitioned by callback URL; per URL the
 * dispatcher reserves the oldest callbacks, sends the delivery reports as one `statuses[]` request
 * and inbound messages one request each, in order, one request at a time, so each message's
 * reports arrive in order (sent → delivered → read).
 *
 * A URL that fails (timeout, connection error, 5xx, 429) is blocked on Svix's schedule: its
 * callbacks go back to the queue at their original place (their due time stays their creation
 * time) and nothing is reserved for the URL until the block ends, so when it comes back they go
 * out in their original order — also after a restart, when the block itself is forgotten. That is
 * the circuit breaker: it slows down, it never drops. A 4xx other than 429
 * means CleverTap refused the body itself: those callbacks are dead-lettered with the answer, for
 * an operator to inspect and replay. So is anything older than `maxAgeMs`.
 */
import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import { deliveryReportBody } from '../clevertap/callbacks.js';
import type { DeliveryReport } from '../domain/delivery-report.js';
import type { Job, JobQueue } from '../queue/job-queue.js';
import type { CallbackKind, CallbackOutbox, StoredCallback } from '../store/callback-outbox.js';
import { callbackRetryDelayMs } from './callback-schedule.js';
import { assertPublicUrl, EgressRefused, publicOnlyLookup } from './egress-guard.js';

export const CALLBACK_QUEUE = 'callbacks';

export interface CallbackDispatcherOptions {
  outbox: CallbackOutbox;
  queue: JobQueue;
  logger: Logger;
  payloadVersion?: string;
  maxBatch?: number;
  timeoutMs?: number;
  maxAgeMs: number;
  leaseMs?: number;
  pollIntervalMs?: number;
  retrySchedule?: readonly number[];
  /** Whether callbacks of this account may only go to public addresses (production mode). */
  publicTargetsOnly?(accountId: string): boolean;
  /** Extra request headers for a callback (the Upload API's account id and passcode). */
  headersFor?(accountId: string, kind: CallbackKind): Record<string, string> | undefined;
}

export interface EndpointState {
  url: string;
  consecutiveFailures: number;
  blockedUntil: number;
  lastError?: string;
  delivered: number;
  deadLettered: number;
}

interface UrlLoop {
  /** The queue partition: the callback URL. */
  url: string;
  running: boolean;
  /** Work arrived while draining: drain again at once instead of waiting for the poll. */
  again: boolean;
  timer?: NodeJS.Timeout;
}

type Attempt = { ok: true } | { ok: false; permanent: boolean; error: string };

export class CallbackDispatcher {
  readonly #options: Required<Omit<CallbackDispatcherOptions, 'retrySchedule' | 'headersFor' | 'publicTargetsOnly'>> &
    Pick<CallbackDispatcherOptions, 'retrySchedule' | 'headersFor' | 'publicTargetsOnly'>;
  readonly #loops = new Map<string, UrlLoop>();
  readonly #endpoints = new Map<string, EndpointState>();
  readonly #agent: Agent;
  readonly #publicOnlyAgent: Agent;
  #running = false;
  #busy = new Set<Promise<void>>();

  constructor(options: CallbackDispatcherOptions) {
    this.#options = { payloadVersion: '0.1', maxBatch: 200, timeoutMs: 5000, leaseMs: 60_000, pollIntervalMs: 250, ...options };
    const agentOptions = { connections: 16, headersTimeout: this.#options.timeoutMs, bodyTimeout: this.#options.timeoutMs, connectTimeout: this.#options.timeoutMs };
    this.#agent = new Agent(agentOptions);
    this.#publicOnlyAgent = new Agent({ ...agentOptions, connect: { lookup: publicOnlyLookup } });
  }

  /** Starts delivering, beginning with every URL that still has callbacks from before. */
  async start(): Promise<void> {
    this.#running = true;
    for (const row of await this.#options.queue.counts()) {
      if (row.queue === CALLBACK_QUEUE && row.ready + row.scheduled + row.leased > 0) this.wake(row.partitionKey);
    }
  }

  /** New callbacks were committed for `url`: look now (unless it is blocked). */
  wake(url: string): void {
    let loop = this.#loops.get(url);
    if (!loop) this.#loops.set(url, (loop = { url, running: false, again: false }));
    if (this.#endpoint(url).blockedUntil > Date.now()) return;
    this.#kick(loop);
  }

  endpoints(): EndpointState[] {
    return [...this.#endpoints.values()].map((endpoint) => ({ ...endpoint }));
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const loop of this.#loops.values()) clearTimeout(loop.timer);
    while (this.#busy.size > 0) await Promise.allSettled([...this.#busy]);
    await Promise.all([this.#agent.close(), this.#publicOnlyAgent.close()]);
  }

  #kick(loop: UrlLoop, delayMs = 0): void {
    if (!this.#running) return;
    clearTimeout(loop.timer);
    if (delayMs > 0) {
      loop.timer = setTimeout(() => this.#kick(loop), delayMs);
      loop.timer.unref();
      return;
    }
    if (loop.running) {
      loop.again = true;
      return;
    }
    loop.running = true;
    const work = this.#drain(loop).finally(() => {
      this.#busy.delete(work);
      loop.running = false;
      const again = loop.again;
      loop.again = false;
      const blockedFor = this.#endpoint(loop.url).blockedUntil - Date.now();
      this.#kick(loop, blockedFor > 0 ? blockedFor : again ? 0 : this.#options.pollIntervalMs);
    });
    this.#busy.add(work);
  }

  async #drain(loop: UrlLoop): Promise<void> {
    const { queue, outbox, logger } = this.#options;
    try {
      while (this.#running && this.#endpoint(loop.url).blockedUntil <= Date.now()) {
        const jobs = await queue.reserve(CALLBACK_QUEUE, { partitionKey: loop.url, limit: this.#options.maxBatch, leaseMs: this.#options.leaseMs });
        if (jobs.length === 0) return;
        const callbacks = await outbox.get(jobs.map((job) => Number(job.ref)));
        const jobById = new Map(jobs.map((job) => [Number(job.ref), job]));
        const found = new Set(callbacks.map((callback) => callback.id));
        await Promise.all(jobs.filter((job) => !found.has(Number(job.ref))).map((job) => queue.deadLetter(job, 'the callback row is missing')));
        await this.#deliverGroup(loop.url, callbacks, jobById);
      }
    } catch (error) {
      logger.error({ err: error, url: redactUrl(loop.url) }, 'callback dispatcher failed; retrying');
    }
  }

  async #deliverGroup(url: string, group: StoredCallback[], jobById: Map<number, Job>): Promise<void> {
    const { queue, outbox, logger } = this.#options;
    const endpoint = this.#endpoint(url);
    const now = Date.now();
    const jobsOf = (callbacks: StoredCallback[]) => callbacks.map((callback) => jobById.get(callback.id)!);

    const expired = group.filter((callback) => now - callback.createdAt > this.#options.maxAgeMs);
    const gaveUp = `gave up after ${Math.round(this.#options.maxAgeMs / 60_000)} min: ${endpoint.lastError ?? 'never delivered'}`;
    await Promise.all(jobsOf(expired).map((job) => queue.deadLetter(job, gaveUp)));
    endpoint.deadLettered += expired.length;
    const live = group.filter((callback) => !expired.includes(callback));
    if (live.length === 0) return;


    const reports = live.filter((callback) => callback.kind === 'dlr');
    // Inbound messages and profile updates are one request each, in order.
    const inbound = live.filter((callback) => callback.kind !== 'dlr');
    const sendings: Array<{ callbacks: StoredCallback[]; body: string }> = [];
    if (reports.length > 0) {
      const body = deliveryReportBody(reports.map((callback) => JSON.parse(callback.payload) as DeliveryReport), this.#options.payloadVersion);
      sendings.push({ callbacks: reports, body });
    }
    for (const callback of inbound) sendings.push({ callbacks: [callback], body: callback.payload });

    for (let index = 0; index < sendings.length; index++) {
      const sending = sendings[index]!;
      const first = sending.callbacks[0]!;
      const publicOnly = this.#options.publicTargetsOnly?.(first.accountId) ?? false;
      const attempt = await this.#post(url, sending.body, publicOnly, this.#options.headersFor?.(first.accountId, first.kind));
      const ids = sending.callbacks.map((callback) => callback.id);
      if (attempt.ok) {
        endpoint.consecutiveFailures = 0;
        endpoint.delivered += ids.length;
        delete endpoint.lastError;
        // Issued together, so the record and every acknowledgement share one commit.
        await Promise.all([outbox.markDelivered(ids, Date.now()), ...jobsOf(sending.callbacks).map((job) => queue.ack(job))]);
        continue;
      }
      endpoint.lastError = attempt.error;
      await outbox.markFailed(ids, attempt.error);
      if (attempt.permanent) {
        endpoint.deadLettered += ids.length;
        logger.warn({ url: redactUrl(url), callbacks: ids.length, error: attempt.error }, 'CleverTap refused callbacks; dead-lettered for replay');
        await Promise.all(jobsOf(sending.callbacks).map((job) => queue.deadLetter(job, attempt.error)));
        continue;
      }
      endpoint.consecutiveFailures++;
      endpoint.blockedUntil = Date.now() + callbackRetryDelayMs(endpoint.consecutiveFailures, this.#options.retrySchedule);
      logger.warn(
        { url: redactUrl(url), failures: endpoint.consecutiveFailures, retryAt: new Date(endpoint.blockedUntil).toISOString(), error: attempt.error },
        'CleverTap callback failed; will retry',
      );
      // Back at their original place (due since they were created); the block, not the due time,
      // holds them, so nothing newer can overtake them.
      const waiting = sendings.slice(index).flatMap((rest) => rest.callbacks);
      await Promise.all(jobsOf(waiting).map((job) => queue.retryAt(job, job.createdAt, { error: attempt.error })));
      return;
    }
  }

  async #post(url: string, body: string, publicOnly: boolean, extraHeaders?: Record<string, string>): Promise<Attempt> {
    try {
      if (publicOnly) assertPublicUrl(url);
      const response = await request(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...extraHeaders },
        dispatcher: publicOnly ? this.#publicOnlyAgent : this.#agent,
        headersTimeout: this.#options.timeoutMs,
        bodyTimeout: this.#options.timeoutMs,
      });
      const text = await response.body.text();
      if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true };
      const error = `HTTP ${response.statusCode}: ${text.slice(0, 500)}`;
      const permanent = response.statusCode >= 400 && response.statusCode < 500 && response.statusCode !== 408 && response.statusCode !== 429;
      return { ok: false, permanent, error };
    } catch (error) {
      const refused = error instanceof EgressRefused || (error as { cause?: unknown }).cause instanceof EgressRefused;
      return { ok: false, permanent: refused, error: (error as Error).message || String(error) };
    }
  }

  #endpoint(url: string): EndpointState {
    let endpoint = this.#endpoints.get(url);
    if (!endpoint) {
      endpoint = { url: redactUrl(url), consecutiveFailures: 0, blockedUntil: 0, delivered: 0, deadLettered: 0 };
      this.#endpoints.set(url, endpoint);
    }
    return endpoint;
  }
}

/** CleverTap's callback URLs carry tenant tokens in their path or query; logs show the origin only. */
function redactUrl(url: string): string {
  try {
    return new URL(url).origin + '/…';
  } catch {
    return '[invalid url]';
  }
}
