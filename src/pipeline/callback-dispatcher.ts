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
 *
 * Callback URLs are chosen by callers (Kaleyra-style headers, one per message if they like), so
 * nothing here may grow with the number of URLs ever seen. A URL has a loop only while it has work:
 * drained and not blocked, its loop is gone; a blocked URL keeps one timer to its unblock time.
 * New work wakes a URL (`wake`); work nobody announced (a lease that ran out, a dead letter
 * replayed by another process) is found by a low-frequency sweep over the queue's counts. The
 * per-URL statistics are an LRU of `maxTrackedEndpoints`: an idle URL's counts may be forgotten,
 * a blocked or busy one's never (that would forget its backoff).
 *
 * A callback target is any server, so it is read as little as possible: at most
 * `maxResponseBytes` of an answer, within `timeoutMs`, then the connection is dropped; a 2xx
 * counts as delivered however its body ends. Each URL sends one request at a time on its own
 * connection, so a slow URL holds one connection of its origin's pool and never another URL's
 * loop; it is cut off after `timeoutMs`.
 *
 * With several replicas (scale-out), a URL is drained only by the replica holding its lease
 * (cluster/partition-lease.ts), so "one request at a time per URL, oldest first" holds across
 * the cluster. The lease is let go when the URL has nothing left; a replica that dies with work
 * pending hands it over when the lease runs out (the others' sweeps find the URL then).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Leases } from '../cluster/leases.js';
import { DEFAULT_PARTITION_LEASE_MS, PartitionLease } from '../cluster/partition-lease.js';
import { Agent, request } from 'undici';
import { deliveryReportBody } from '../clevertap/callbacks.js';
import { redactCallbackUrl } from '../clevertap/callback-url.js';
import type { DeliveryReport } from '../domain/delivery-report.js';
import type { Job, JobQueue } from '../queue/job-queue.js';
import type { CallbackAttempt, CallbackKind, CallbackOutbox, StoredCallback } from '../store/callback-outbox.js';
import { CALLBACK_QUEUE } from '../store/effects.js';
import { readCapped } from './capped-body.js';
import { callbackRetryDelayMs } from './callback-schedule.js';
import { assertPublicUrl, EgressRefused, publicOnlyLookup } from './egress-guard.js';


/** Only the first 500 characters of a refusal are kept; 64 KB is ample to find them. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
const DEFAULT_MAX_TRACKED_ENDPOINTS = 4096;
/** The sweep may take at most this share of the time (a large queue makes `counts()` slow). */
const SWEEP_DUTY_CYCLE = 50;
/**
 * ...but one slow `counts()` (a Redis restart, a burst) must not push the next sweep out by
 * minutes: the sweep is what finds a URL whose wake-up was lost.
 */
const MAX_SWEEP_GAP_MS = 30_000;

export interface CallbackDispatcherOptions {
  outbox: CallbackOutbox;
  queue: JobQueue;
  logger: Logger;
  payloadVersion?: string;
  maxBatch?: number;
  timeoutMs?: number;
  maxAgeMs: number;
  leaseMs?: number;
  /** How long to wait before draining a URL again after the dispatcher itself failed (e.g. a store error). */
  pollIntervalMs?: number;
  /** How often to look for callbacks nobody announced (expired leases, replayed dead letters). */
  sweepIntervalMs?: number;
  /** Per-URL statistics kept (LRU); blocked and busy URLs are kept beyond it. */
  maxTrackedEndpoints?: number;
  /** Bytes of a callback answer read at most; the rest is discarded with the connection. */
  maxResponseBytes?: number;
  /** Connections per origin (many CleverTap accounts share one host). */
  connectionsPerOrigin?: number;
  retrySchedule?: readonly number[];
  /** Whether callbacks of this account may only go to public addresses (production mode). */
  publicTargetsOnly?(accountId: string): boolean;
  /** Extra request headers for a callback (the Upload API's account id and passcode). */
  headersFor?(accountId: string, kind: CallbackKind): Record<string, string> | undefined;
  /** Several replicas: each URL is drained by the one replica holding its lease. Absent: this process alone delivers. */
  leases?: Leases;
  leaseTtlMs?: number;
  /** Told each callback's outcome, and how late each delivered one was (the gateway's metrics). */
  observe?: CallbackObserver;
}

/** Outcomes: `delivered`, `retried` (the URL failed; it is blocked for a while), `dead_lettered` (refused), `expired` (too old). */
export interface CallbackObserver {
  callbacks(accountId: string, outcome: 'delivered' | 'retried' | 'dead_lettered' | 'expired', count: number): void;
  /** Seconds from the callback being owed (created) to CleverTap accepting it. */
  lag(seconds: number): void;
}

export interface EndpointState {
  url: string;
  consecutiveFailures: number;
  blockedUntil: number;
  lastError?: string;
  delivered: number;
  deadLettered: number;
}

export interface CallbackDispatcherStats {
  /** URLs with a loop: draining, or blocked with a timer to their unblock time. */
  activeLoops: number;
  /** URLs whose statistics are kept. */
  trackedEndpoints: number;
  /** Bytes read from callback answers since start. */
  responseBytesRead: number;
}

interface UrlLoop {
  /** The queue partition: the callback URL. */
  url: string;
  lease?: PartitionLease;
  running: boolean;
  /** Work arrived while draining: drain again at once. */
  again: boolean;
  timer?: NodeJS.Timeout | undefined;
}

/** How a drain ended: nothing due, blocked by a failure, the dispatcher itself failed, or another replica holds the URL. */
type DrainOutcome = 'idle' | 'blocked' | 'error' | 'elsewhere';

/** How a POST went; `httpStatus` is CleverTap's answer, when one came. */
type Attempt = { ok: true; httpStatus: number } | { ok: false; permanent: boolean; error: string; httpStatus?: number };

type Defaulted = 'payloadVersion' | 'maxBatch' | 'timeoutMs' | 'leaseMs' | 'pollIntervalMs' | 'sweepIntervalMs' | 'maxTrackedEndpoints' | 'maxResponseBytes' | 'connectionsPerOrigin';

export class CallbackDispatcher {
  readonly #options: CallbackDispatcherOptions & Required<Pick<CallbackDispatcherOptions, Defaulted>>;
  readonly #loops = new Map<string, UrlLoop>();
  /** Insertion order is recency: `#endpoint` moves a URL to the end. */
  readonly #endpoints = new Map<string, EndpointState>();
  readonly #agent: Agent;
  readonly #publicOnlyAgent: Agent;
  #running = false;
  #busy = new Set<Promise<void>>();
  #sweepTimer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;
  #responseBytesRead = 0;

  constructor(options: CallbackDispatcherOptions) {
    this.#options = {
      payloadVersion: '0.1',
      maxBatch: 200,
      timeoutMs: 5000,
      leaseMs: 60_000,
      pollIntervalMs: 1000,
      sweepIntervalMs: 2000,
      maxTrackedEndpoints: DEFAULT_MAX_TRACKED_ENDPOINTS,
      maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
      connectionsPerOrigin: 32,
      ...options,
    };
    const timeout = this.#options.timeoutMs;
    const agentOptions = { connections: this.#options.connectionsPerOrigin, headersTimeout: timeout, bodyTimeout: timeout, connectTimeout: timeout };
    this.#agent = new Agent(agentOptions);
    this.#publicOnlyAgent = new Agent({ ...agentOptions, connect: { lookup: publicOnlyLookup } });
  }

  /** Starts delivering, beginning with every URL that still has callbacks from before. */
  async start(): Promise<void> {
    this.#running = true;
    for (const row of await this.#options.queue.counts()) {
      if (row.queue === CALLBACK_QUEUE && row.ready + row.scheduled + row.leased > 0) this.wake(row.partitionKey);
    }
    this.#scheduleSweep(this.#options.sweepIntervalMs);
  }

  /** New callbacks were committed for `url`: look now (unless it is blocked). */
  wake(url: string): void {
    if (!this.#running) return; // start() finds everything committed before it
    let loop = this.#loops.get(url);
    if (!loop) this.#loops.set(url, (loop = this.#newLoop(url)));
    if (loop.running) {
      loop.again = true;
      return;
    }
    if (loop.timer && this.#blockedFor(url) > 0) return; // already waiting for the block to end
    this.#kick(loop);
  }

  #newLoop(url: string): UrlLoop {
    const loop: UrlLoop = { url, running: false, again: false };
    const { leases } = this.#options;
    if (leases) {
      const key = `callbacks:${createHash('sha256').update(url).digest('base64url').slice(0, 22)}`;
      loop.lease = new PartitionLease(leases, key, this.#options.leaseTtlMs ?? DEFAULT_PARTITION_LEASE_MS);
    }
    return loop;
  }

  endpoints(): EndpointState[] {
    return [...this.#endpoints.values()].map((endpoint) => ({ ...endpoint }));
  }

  /** URLs with a loop (draining, or blocked and waiting); 0 when all is delivered. */
  activeLoops(): number {
    return this.#loops.size;
  }

  trackedEndpoints(): number {
    return this.#endpoints.size;
  }

  stats(): CallbackDispatcherStats {
    return { activeLoops: this.#loops.size, trackedEndpoints: this.#endpoints.size, responseBytesRead: this.#responseBytesRead };
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#sweepTimer);
    for (const loop of this.#loops.values()) clearTimeout(loop.timer);
    while (this.#busy.size > 0) await Promise.allSettled([...this.#busy]);
    await this.#sweeping;
    // Another replica may take these URLs over at once instead of waiting for the leases to run out.
    await Promise.all([...this.#loops.values()].map((loop) => loop.lease?.release()));
    this.#loops.clear();
    await Promise.all([this.#agent.close(), this.#publicOnlyAgent.close()]);
  }

  #blockedFor(url: string): number {
    const endpoint = this.#endpoints.get(url);
    return endpoint ? endpoint.blockedUntil - Date.now() : 0;
  }

  #kick(loop: UrlLoop): void {
    clearTimeout(loop.timer);
    loop.timer = undefined;
    if (!this.#running) return;
    const blockedFor = this.#blockedFor(loop.url);
    if (blockedFor > 0) return this.#retryIn(loop, blockedFor);
    loop.running = true;
    const work = this.#drain(loop).then((outcome) => {
      this.#busy.delete(work);
      loop.running = false;
      if (!this.#running) return;
      if (loop.again) {
        loop.again = false;
        return this.#kick(loop);
      }
      if (outcome === 'blocked') return this.#kick(loop);
      if (outcome === 'error') return this.#retryIn(loop, this.#options.pollIntervalMs);
      // Drained, or drained by another replica: no loop, no timer. New work wakes the URL;
      // unannounced work (a lease handed over by a replica that died) is found by the sweep.
      this.#loops.delete(loop.url);
      if (outcome === 'idle') void loop.lease?.release();
      this.#evictIdleEndpoints();
    });
    this.#busy.add(work);
  }

  #retryIn(loop: UrlLoop, delayMs: number): void {
    clearTimeout(loop.timer);
    loop.timer = setTimeout(() => this.#kick(loop), delayMs);
    loop.timer.unref();
  }

  #scheduleSweep(delayMs: number): void {
    if (!this.#running) return;
    this.#sweepTimer = setTimeout(() => {
      const startedAt = Date.now();
      this.#sweeping = this.#sweep().finally(() => {
        this.#sweeping = undefined;
        const throttled = Math.min(MAX_SWEEP_GAP_MS, (Date.now() - startedAt) * SWEEP_DUTY_CYCLE);
        this.#scheduleSweep(Math.max(this.#options.sweepIntervalMs, throttled));
      });
    }, delayMs);
    this.#sweepTimer.unref();
  }

  /** Wakes every URL with due callbacks and no loop: a lease ran out, or a dead letter was replayed elsewhere. */
  async #sweep(): Promise<void> {
    try {
      for (const row of await this.#options.queue.counts()) {
        if (row.queue === CALLBACK_QUEUE && row.ready > 0 && !this.#loops.has(row.partitionKey)) this.wake(row.partitionKey);
      }
    } catch (error) {
      this.#options.logger.error({ err: error }, 'callback sweep failed; trying again later');
    }
  }

  async #drain(loop: UrlLoop): Promise<DrainOutcome> {
    const { queue, outbox, logger } = this.#options;
    try {
      while (this.#running) {
        if (this.#blockedFor(loop.url) > 0) return 'blocked';
        if (loop.lease && !(await loop.lease.hold())) return 'elsewhere';
        const jobs = await queue.reserve(CALLBACK_QUEUE, { partitionKey: loop.url, limit: this.#options.maxBatch, leaseMs: this.#options.leaseMs });
        if (jobs.length === 0) return 'idle';
        const stored = await outbox.get(jobs.map((job) => job.ref));
        const jobById = new Map(jobs.map((job) => [job.ref, job]));
        const found = new Set(stored.map((callback) => callback.id));
        await Promise.all(jobs.filter((job) => !found.has(job.ref)).map((job) => queue.deadLetter(job, 'the callback row is missing')));
        // Delivered already, its acknowledgement lost (an external queue restarting): done, not sent again.
        const delivered = stored.filter((callback) => callback.deliveredAt !== undefined);
        await Promise.all(delivered.map((callback) => queue.ack(jobById.get(callback.id)!)));
        const callbacks = delivered.length === 0 ? stored : stored.filter((callback) => callback.deliveredAt === undefined);
        await this.#deliverGroup(loop.url, callbacks, jobById);
      }
      return 'idle';
    } catch (error) {
      logger.error({ err: error, url: redactCallbackUrl(loop.url) }, 'callback dispatcher failed; retrying');
      return 'error';
    }
  }

  async #deliverGroup(url: string, group: StoredCallback[], jobById: Map<string, Job>): Promise<void> {
    const { queue, outbox, logger } = this.#options;
    const endpoint = this.#endpoint(url);
    const now = Date.now();
    const jobsOf = (callbacks: StoredCallback[]) => callbacks.map((callback) => jobById.get(callback.id)!);

    const expired = group.filter((callback) => now - callback.createdAt > this.#options.maxAgeMs);
    const gaveUp = `gave up after ${Math.round(this.#options.maxAgeMs / 60_000)} min: ${endpoint.lastError ?? 'never delivered'}`;
    if (expired.length > 0) {
      await Promise.all([outbox.markDead(expired.map((callback) => callback.id), now), ...jobsOf(expired).map((job) => queue.deadLetter(job, gaveUp))]);
      endpoint.deadLettered += expired.length;
      this.#count(expired, 'expired');
    }
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
      const startedAt = performance.now();
      const attempt = await this.#post(url, sending.body, publicOnly, this.#options.headersFor?.(first.accountId, first.kind));
      // Kept on the callbacks for the timeline, in the writes that record the attempt anyway.
      const answer: CallbackAttempt = { latencyMs: Math.round(performance.now() - startedAt) };
      if (attempt.httpStatus !== undefined) answer.httpStatus = attempt.httpStatus;
      const ids = sending.callbacks.map((callback) => callback.id);
      if (attempt.ok) {
        endpoint.consecutiveFailures = 0;
        endpoint.delivered += ids.length;
        delete endpoint.lastError;
        // Issued together, so the record and every acknowledgement share one commit.
        const deliveredAt = Date.now();
        await Promise.all([outbox.markDelivered(ids, deliveredAt, answer), ...jobsOf(sending.callbacks).map((job) => queue.ack(job))]);
        const { observe } = this.#options;
        if (observe) {
          this.#count(sending.callbacks, 'delivered');
          for (const callback of sending.callbacks) observe.lag(Math.max(0, deliveredAt - callback.createdAt) / 1000);
        }
        continue;
      }
      endpoint.lastError = attempt.error;
      await outbox.markFailed(ids, attempt.error, { ...answer, at: Date.now() });
      if (attempt.permanent) {
        endpoint.deadLettered += ids.length;
        logger.warn({ url: redactCallbackUrl(url), callbacks: ids.length, error: attempt.error }, 'CleverTap refused callbacks; dead-lettered for replay');
        await Promise.all([outbox.markDead(ids, Date.now()), ...jobsOf(sending.callbacks).map((job) => queue.deadLetter(job, attempt.error))]);
        this.#count(sending.callbacks, 'dead_lettered');
        continue;
      }
      endpoint.consecutiveFailures++;
      endpoint.blockedUntil = Date.now() + callbackRetryDelayMs(endpoint.consecutiveFailures, this.#options.retrySchedule);
      logger.warn(
        { url: redactCallbackUrl(url), failures: endpoint.consecutiveFailures, retryAt: new Date(endpoint.blockedUntil).toISOString(), error: attempt.error },
        'CleverTap callback failed; will retry',
      );
      // Back at their original place (due since they were created); the block, not the due time,
      // holds them, so nothing newer can overtake them.
      const waiting = sendings.slice(index).flatMap((rest) => rest.callbacks);
      await Promise.all(jobsOf(waiting).map((job) => queue.retryAt(job, job.createdAt, { error: attempt.error })));
      this.#count(sending.callbacks, 'retried');
      return;
    }
  }

  /** Counts callbacks per account (a batch of reports may serve several accounts on one URL). */
  #count(callbacks: readonly StoredCallback[], outcome: Parameters<CallbackObserver['callbacks']>[1]): void {
    const { observe } = this.#options;
    if (!observe) return;
    for (const callback of callbacks) observe.callbacks(callback.accountId, outcome, 1);
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
      const { text, bytesRead } = await readCapped(response.body, this.#options.maxResponseBytes, this.#options.timeoutMs);
      this.#responseBytesRead += bytesRead;
      if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true, httpStatus: response.statusCode };
      const error = `HTTP ${response.statusCode}: ${text.slice(0, 500)}`;
      const permanent = response.statusCode >= 400 && response.statusCode < 500 && response.statusCode !== 408 && response.statusCode !== 429;
      return { ok: false, permanent, error, httpStatus: response.statusCode };
    } catch (error) {
      const refused = error instanceof EgressRefused || (error as { cause?: unknown }).cause instanceof EgressRefused;
      return { ok: false, permanent: refused, error: (error as Error).message || String(error) };
    }
  }

  #endpoint(url: string): EndpointState {
    let endpoint = this.#endpoints.get(url);
    if (endpoint) {
      this.#endpoints.delete(url);
    } else {
      endpoint = { url: redactCallbackUrl(url), consecutiveFailures: 0, blockedUntil: 0, delivered: 0, deadLettered: 0 };
    }
    this.#endpoints.set(url, endpoint);
    this.#evictIdleEndpoints();
    return endpoint;
  }

  /**
   * Forgets the least recently used URLs beyond the cap, skipping busy and blocked ones (their
   * state is their backoff). Skipped ones move to the end, so the scan stays short; with more
   * busy or blocked URLs than the cap, the map exceeds it by exactly those.
   */
  #evictIdleEndpoints(): void {
    const now = Date.now();
    let budget = 32;
    for (const [url, endpoint] of this.#endpoints) {
      if (this.#endpoints.size <= this.#options.maxTrackedEndpoints || budget-- === 0) return;
      this.#endpoints.delete(url);
      if (this.#loops.has(url) || endpoint.blockedUntil > now) this.#endpoints.set(url, endpoint);
    }
  }
}

