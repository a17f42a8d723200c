/**
 * @module pipeline/send-dispatcher
 * Takes accepted messages off the send queue and delivers them to the Graph API, one lane per
 * sending number: a pacer that never exceeds the number's messages per second in any second
 * (send-pacer.ts), a bound on requests in flight, retries with backoff for the errors Meta says
 * are transient, and `failed` with the mapped reason for the rest.
 *
 * The crash policy ("uncertain sends"): a job whose lease ran out, or whose request died after
 * it may have reached Meta, has an unknown outcome. Resending at once could deliver twice;
 * never resending could lose the message. So it is held for `uncertainHoldMs`, waiting for a
 * status webhook carrying our id in `biz_opaque_callback_data`, which proves the send by
 * recording its wamid (see `status-ingest.ts`); a job whose message has a wamid is dropped. If no proof arrives in time, it is sent again:
 * at-least-once, with duplicates limited to sends that were in flight during a crash and whose
 * webhooks never came.
 *
 * With several replicas (scale-out), a lane sends only while this replica holds its number's
 * lease (cluster/partition-lease.ts): one sender per number at a time, so the pacer's count is
 * the cluster's count and Meta never sees more than the number's rate. A replica that dies
 * hands its numbers over when their leases run out; the others keep trying for them meanwhile.
 *
 * Accounts change at runtime: `setLane` adds a lane or updates one (a new rate, a new number), and
 * `retireLane` marks a deleted account's lane to drain what it already accepted; a sweep drops a
 * retiring lane once the queue holds nothing of its account.
 */
import type { Logger } from 'pino';
import type { DeliveryFailure } from '../domain/failure.js';
import type { JobQueue, Job } from '../queue/job-queue.js';
import type { MessageStore, StoredMessage } from '../store/message-store.js';
import type { MessageEvent, MessageEvents } from '../store/message-events.js';
import { SEND_QUEUE } from '../store/effects.js';
import type { OwedCallbacks } from './owe-callbacks.js';
import type { Leases } from '../cluster/leases.js';
import { DEFAULT_PARTITION_LEASE_MS, PartitionLease } from '../cluster/partition-lease.js';
import type { SendOutcome } from '../whatsapp/graph-client.js';
import type { GraphSendBody } from '../whatsapp/graph-types.js';
import { toGraphSendBody } from '../whatsapp/translate.js';
import { retryDelayMs } from './retry-policy.js';
import { SendPacer } from './send-pacer.js';

/** What the dispatcher needs from a Graph client. */
export interface MessageSender {
  sendMessage(phoneNumberId: string, body: GraphSendBody): Promise<SendOutcome>;
}

export interface SendLaneConfig {
  accountId: string;
  phoneNumberId: string;
  messagesPerSecond: number;
  maxInFlight: number;
  sender: MessageSender;
}

export interface SendDispatcherOptions {
  store: MessageStore;
  queue: JobQueue;
  lanes: readonly SendLaneConfig[];
  logger: Logger;
  leaseMs: number;
  uncertainHoldMs: number;
  maxAttempts: number;
  maxAgeMs: number;
  /** Owes CleverTap the report of every state change the dispatcher makes (a failure), in its commit. */
  callbacks?: OwedCallbacks;
  /**
   * When the recipient last wrote to the account, if known. Free-form messages are allowed only in
   * the 24 hours after it (Meta fails them later with 131047 otherwise).
   */
  lastInboundAt?(accountId: string, recipient: string): Promise<number | undefined>;
  /** How often an idle lane looks for due retries. */
  pollIntervalMs?: number;
  /** Several replicas: each number is sent from by the one replica holding its lease. Absent: this process alone sends. */
  leases?: Leases;
  leaseTtlMs?: number;
  /**
   * The lane of an account that has none here, asked when work for it is announced (another
   * replica accepted it, or a lane was dropped too early); `retiring` for a deleted account.
   */
  laneFor?(accountId: string): { lane: SendLaneConfig; retiring: boolean } | undefined;
  /** How often retiring lanes are checked for work left (default 30 s). */
  retireSweepMs?: number;
  /** Told each send Meta accepted, each message failed and each Graph call's latency (the gateway's metrics). */
  observe?: SendObserver;
  /** Where a Graph answer other than success is kept for the message's timeline (the success is on its row). */
  events?: Pick<MessageEvents, 'append'>;
}

export interface SendObserver {
  sent(accountId: string): void;
  /** `code`: Meta's error code, or the gateway's reason when Meta gave none (e.g. `outside_window`). */
  failed(accountId: string, code: string): void;
  graphLatency(accountId: string, seconds: number): void;
}

export interface SendDispatcherStats {
  submitted: number;
  failed: number;
  retried: number;
  held: number;
  resentAfterHold: number;
  skipped: number;
}

interface Lane extends SendLaneConfig {
  pacer: SendPacer;
  /** A deleted account's lane: sends what it accepted, then is dropped. */
  retiring: boolean;
  /** Dropped from the dispatcher: it takes no more work. */
  dropped: boolean;
  lease?: PartitionLease;
  inFlight: number;
  pumping: boolean;
  kickScheduled: boolean;
  timer?: NodeJS.Timeout;
  timerAt: number;
}

const CUSTOMER_WINDOW_MS = 24 * 3_600_000;

/** Reserving more than this at once would hold leases on work that cannot start yet. */
const MAX_RESERVE = 200;
/** At most this many reservations a second per number when sending at its full rate (20 ms apart). */
const RESERVE_BATCHES_PER_SECOND = 50;

export class SendDispatcher {
  readonly #options: SendDispatcherOptions;
  readonly #lanes = new Map<string, Lane>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #pollIntervalMs: number;
  #running = false;
  #sweepTimer: NodeJS.Timeout | undefined;
  readonly #stats: SendDispatcherStats = { submitted: 0, failed: 0, retried: 0, held: 0, resentAfterHold: 0, skipped: 0 };

  constructor(options: SendDispatcherOptions) {
    this.#options = options;
    this.#pollIntervalMs = options.pollIntervalMs ?? 250;
    for (const lane of options.lanes) this.setLane(lane);
  }

  /** Adds the account's lane, or updates it (and takes it out of retirement: the account is back). */
  setLane(config: SendLaneConfig): void {
    const lane = this.#lanes.get(config.accountId);
    if (!lane) {
      const added: Lane = { ...config, pacer: pacerFor(config), retiring: false, dropped: false, inFlight: 0, pumping: false, kickScheduled: false, timerAt: 0 };
      if (this.#options.leases) added.lease = this.#leaseFor(config);
      this.#lanes.set(config.accountId, added);
      this.#kick(added);
      return;
    }
    lane.retiring = false;
    lane.sender = config.sender;
    lane.maxInFlight = config.maxInFlight;
    // Sends reserved on the old pacer are stamped or given back on it (see #start).
    if (config.messagesPerSecond !== lane.messagesPerSecond) lane.pacer = pacerFor(config);
    lane.messagesPerSecond = config.messagesPerSecond;
    if (config.phoneNumberId !== lane.phoneNumberId) {
      lane.phoneNumberId = config.phoneNumberId;
      if (this.#options.leases) {
        void lane.lease?.release();
        lane.lease = this.#leaseFor(config);
      }
    }
    this.#kick(lane);
  }

  /** The account was deleted: its lane sends what is queued, then goes. */
  retireLane(accountId: string): void {
    const lane = this.#lanes.get(accountId);
    if (lane) lane.retiring = true;
  }

  /** Accounts with a lane here (retiring ones included). */
  laneIds(): string[] {
    return [...this.#lanes.keys()];
  }

  get stats(): SendDispatcherStats {
    return { ...this.#stats };
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  start(): void {
    this.#running = true;
    for (const lane of this.#lanes.values()) this.#kick(lane);
    // At once: lanes of accounts deleted before a restart are mostly idle.
    void this.#sweepRetiring();
    this.#sweepTimer = setInterval(() => void this.#sweepRetiring(), this.#options.retireSweepMs ?? 30_000);
    this.#sweepTimer.unref();
  }

  /** New work for an account was committed: look now instead of at the next poll. */
  wake(accountId: string): void {
    let lane = this.#lanes.get(accountId);
    if (!lane) {
      const found = this.#options.laneFor?.(accountId);
      if (!found) return;
      this.setLane(found.lane);
      lane = this.#lanes.get(accountId)!;
      lane.retiring = found.retiring;
    }
    this.#kick(lane);
  }

  /** Stops taking work and waits for requests in flight to settle. */
  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#sweepTimer);
    for (const lane of this.#lanes.values()) clearTimeout(lane.timer);
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    // Another replica may take the numbers over at once instead of waiting for the leases to run out.
    await Promise.all([...this.#lanes.values()].map((lane) => lane.lease?.release()));
  }

  #leaseFor(config: SendLaneConfig): PartitionLease {
    return new PartitionLease(this.#options.leases!, `send:${config.phoneNumberId}`, this.#options.leaseTtlMs ?? DEFAULT_PARTITION_LEASE_MS);
  }

  /** Drops retiring lanes with nothing left in the queue and nothing in flight. */
  async #sweepRetiring(): Promise<void> {
    if (![...this.#lanes.values()].some((lane) => lane.retiring)) return;
    try {
      const counts = await this.#options.queue.counts();
      const busy = new Set(counts.filter((row) => row.queue === SEND_QUEUE && row.ready + row.scheduled + row.leased > 0).map((row) => row.partitionKey));
      for (const lane of [...this.#lanes.values()]) {
        if (!lane.retiring || busy.has(lane.accountId) || lane.inFlight > 0 || lane.pumping) continue;
        lane.dropped = true;
        clearTimeout(lane.timer);
        this.#lanes.delete(lane.accountId);
        void lane.lease?.release();
        this.#options.logger.info({ accountId: lane.accountId }, 'a deleted account\'s queued sends are all done; its lane is closed');
      }
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'could not count the queue to close the lanes of deleted accounts; trying later');
    }
  }

  #kick(lane: Lane): void {
    if (!this.#running || lane.kickScheduled || lane.dropped) return;
    lane.kickScheduled = true;
    setImmediate(() => {
      lane.kickScheduled = false;
      void this.#pump(lane);
    });
  }

  #wakeLater(lane: Lane, delayMs: number): void {
    const at = Date.now() + delayMs;
    if (lane.timer && lane.timerAt <= at) return;
    clearTimeout(lane.timer);
    lane.timerAt = at;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      this.#kick(lane);
    }, delayMs);
    lane.timer.unref();
  }

  async #pump(lane: Lane): Promise<void> {
    if (lane.pumping) return;
    lane.pumping = true;
    try {
      while (this.#running && !lane.dropped) {
        // Not ours (another replica sends from this number): try again in a while, in case it died.
        if (lane.lease && !(await lane.lease.hold())) return this.#wakeLater(lane, (this.#options.leaseTtlMs ?? DEFAULT_PARTITION_LEASE_MS) / 3);
        const room = lane.maxInFlight - lane.inFlight;
        if (room <= 0) return; // a finishing request kicks the lane again
        const wanted = Math.min(room, MAX_RESERVE);
        // A reservation costs about as much for twenty jobs as for one: at a steady rate, wait
        // for a batch worth 1/RESERVE_BATCHES_PER_SECOND of a second rather than reserving each
        // token as it trickles in.
        const batch = Math.min(wanted, Math.max(1, Math.floor(lane.messagesPerSecond / RESERVE_BATCHES_PER_SECOND)));
        const wait = lane.pacer.msUntilAvailable(Date.now(), batch);
        if (wait > 0) return this.#wakeLater(lane, wait);
        const tokens = lane.pacer.take(wanted);
        if (tokens === 0) return this.#wakeLater(lane, Math.max(1, lane.pacer.msUntilAvailable()));
        const jobs = await this.#options.queue.reserve(SEND_QUEUE, {
          partitionKey: lane.accountId,
          limit: tokens,
          leaseMs: this.#options.leaseMs,
        });
        if (jobs.length < tokens) lane.pacer.giveBack(tokens - jobs.length);
        if (jobs.length === 0) return this.#wakeLater(lane, this.#pollIntervalMs);
        for (const job of jobs) this.#start(lane, job);
        // Let the ingress run between batches: accepting never waits behind dispatching.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.#options.logger.error({ err: error, accountId: lane.accountId }, 'send dispatcher could not reserve work; retrying');
      this.#wakeLater(lane, 1000);
    } finally {
      lane.pumping = false;
    }
  }

  #start(lane: Lane, job: Job): void {
    lane.inFlight++;
    // The send reserved for this job: stamped when its request is written, else given back here,
    // whichever way processing ends (skipped, held, failed early, or thrown).
    const reservation = { stamped: false, pacer: lane.pacer };
    const work = this.#process(lane, job, reservation)
      .catch((error) => {
        // The job stays leased; when the lease runs out it comes back as an uncertain send.
        this.#options.logger.error({ err: error, jobId: job.id, messageId: job.ref }, 'send failed unexpectedly');
      })
      .finally(() => {
        if (!reservation.stamped) reservation.pacer.giveBack(1);
        lane.inFlight--;
        this.#inFlight.delete(work);
        this.#kick(lane);
      });
    this.#inFlight.add(work);
  }

  async #process(lane: Lane, job: Job, reservation: { stamped: boolean; pacer: SendPacer }): Promise<void> {
    const { store, queue, logger } = this.#options;
    const now = Date.now();
    const message = await store.getMessage(job.ref);
    if (!message) {
      await queue.deadLetter(job, 'the message row is missing');
      return;
    }
    if (message.state !== 'accepted' || message.wamid) {
      // Already sent (a webhook proved an uncertain send) or already failed.
      this.#stats.skipped++;
      await queue.ack(job);
      return;
    }
    if (job.previousAttemptUnsettled || job.uncertainSince !== undefined) {
      const since = job.uncertainSince ?? now;
      const resendAt = since + this.#options.uncertainHoldMs;
      if (now < resendAt) {
        if (job.uncertainSince === undefined) {
          this.#stats.held++;
          logger.warn({ messageId: message.id, msgId: message.msgId, resendAt: new Date(resendAt).toISOString() }, 'send outcome unknown after an interruption; holding for a status webhook before resending');
        }
        await queue.retryAt(job, resendAt, { uncertainSince: since, error: 'outcome of an interrupted send is unknown' });
        return;
      }
      this.#stats.resentAfterHold++;
      logger.warn({ messageId: message.id, msgId: message.msgId }, 'no status webhook proved an interrupted send; sending again');
    }
    if (now - message.acceptedAt > this.#options.maxAgeMs) {
      await this.#fail(message, job, { reason: 'other', title: 'Expired before it could be sent', detail: job.lastError });
      return;
    }

    if (message.content.kind !== 'template' && this.#options.lastInboundAt) {
      // Only a window known to be closed fails fast: with no history (a user who wrote before
      // this gateway existed, or through an ad) Meta decides.
      const last = await this.#options.lastInboundAt(message.accountId, message.to);
      if (last !== undefined && now - last > CUSTOMER_WINDOW_MS) {
        await this.#fail(message, job, {
          reason: 'outside_window',
          title: 'Outside the 24-hour customer service window',
          detail: `the user last wrote ${Math.round((now - last) / 3_600_000)} h ago; send a template`,
        });
        return;
      }
    }

    const body = toGraphSendBody(message);
    reservation.pacer.stamp();
    reservation.stamped = true;
    const { observe } = this.#options;
    const requestedAt = performance.now();
    const outcome = await lane.sender.sendMessage(lane.phoneNumberId, body);
    const latencyMs = performance.now() - requestedAt;
    observe?.graphLatency(lane.accountId, latencyMs / 1000);
    const settledAt = Date.now();
    switch (outcome.kind) {
      case 'accepted':
        await store.recordSubmitted(message.id, outcome.wamid, settledAt, Math.round(latencyMs));
        await queue.ack(job);
        this.#stats.submitted++;
        observe?.sent(lane.accountId);
        return;
      case 'rejected': {
        if (outcome.rule.retry === 'throughput') lane.pacer.pauseUntil(settledAt + 1000);
        const failure: DeliveryFailure = { reason: outcome.rule.reason, metaCode: outcome.code, title: outcome.title };
        if (outcome.detail) failure.detail = outcome.detail;
        if (outcome.rule.retry === 'auth') {
          logger.error({ accountId: lane.accountId, code: outcome.code }, 'Meta rejected the access token; sends on this account fail until it is fixed');
        }
        this.#keep({ messageId: message.id, at: settledAt, kind: 'graph', httpStatus: outcome.httpStatus, code: outcome.code, title: outcome.title, latencyMs: Math.round(latencyMs) });
        await this.#retryOrFail(message, job, retryDelayMs(outcome.rule.retry, job.attempts), `${outcome.code} ${outcome.title}`, failure);
        return;
      }
      case 'transport': {
        const failure: DeliveryFailure = { reason: 'temporarily_unavailable', title: 'WhatsApp could not be reached', detail: outcome.error };
        this.#keep({ messageId: message.id, at: settledAt, kind: 'graph', title: outcome.error, latencyMs: Math.round(latencyMs) });
        if (outcome.requestMayHaveArrived) {
          // A timeout or reset after the request went out: Meta may have accepted it.
          this.#stats.held++;
          await queue.retryAt(job, settledAt + this.#options.uncertainHoldMs, { uncertainSince: settledAt, error: outcome.error });
          return;
        }
        // Never reached Meta: an outage of any length is waited out, bounded by the message's age
        // (dispatcher.maxAgeMs), not by its attempts.
        await this.#retryOrFail(message, job, retryDelayMs('transport', job.attempts), outcome.error, failure, { countAttempt: false });
        return;
      }
    }
  }

  /**
   * Keeps a Graph answer for the timeline. Issued in the same turn as the retry or failure that
   * follows it, so both join one commit; its own failure (the store cannot write) is that write's too.
   */
  #keep(event: MessageEvent): void {
    this.#options.events?.append([event]).catch((error: unknown) => this.#options.logger.debug({ err: error, messageId: event.messageId }, 'could not keep a Graph answer for the timeline'));
  }

  async #retryOrFail(
    message: StoredMessage,
    job: Job,
    delayMs: number | undefined,
    error: string,
    failure: DeliveryFailure,
    { countAttempt = true }: { countAttempt?: boolean } = {},
  ): Promise<void> {
    const runAt = Date.now() + (delayMs ?? 0);
    const withinAge = runAt - message.acceptedAt <= this.#options.maxAgeMs;
    const attemptsLeft = !countAttempt || job.attempts < this.#options.maxAttempts;
    if (delayMs !== undefined && attemptsLeft && withinAge) {
      this.#stats.retried++;
      await this.#options.queue.retryAt(job, runAt, { error });
      return;
    }
    await this.#fail(message, job, failure);
  }

  async #fail(message: StoredMessage, job: Job, failure: DeliveryFailure): Promise<void> {
    const { store, callbacks } = this.#options;
    const at = Date.now();
    if (callbacks) await callbacks.commitReports((effectsOf) => store.advanceState(message.id, 'failed', at, { failure }, effectsOf));
    else await store.advanceState(message.id, 'failed', at, { failure });
    await this.#options.queue.ack(job);
    this.#stats.failed++;
    this.#options.observe?.failed(message.accountId, failure.metaCode !== undefined ? String(failure.metaCode) : failure.reason);
    this.#options.logger.info({ messageId: message.id, msgId: message.msgId, reason: failure.reason, metaCode: failure.metaCode }, 'message failed');
  }
}

function pacerFor(config: SendLaneConfig): SendPacer {
  return new SendPacer({ ratePerSecond: config.messagesPerSecond, burst: config.messagesPerSecond / RESERVE_BATCHES_PER_SECOND });
}
