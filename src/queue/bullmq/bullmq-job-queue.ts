/**
 * @module queue/bullmq/bullmq-job-queue
 * The job-queue port on BullMQ 6 (Redis), driven by hand: no Worker, no processor. Every
 * (queue, partition) is a BullMQ queue (partitions.ts); all of them share one connection
 * (`RedisQueueBackend.forQueue`). What the port's words mean here:
 *
 * - **Lease** = BullMQ's job lock (`<job>:lock`, PX = `leaseMs`), taken by `moveToActive` with a
 *   token per `reserve` call. `ack`/`retryAt`/`deadLetter` pass that token, so a lease that another
 *   reservation has since taken is refused (`ack` → false; the others do nothing). A lock that
 *   merely ran out, with the job not yet recovered by anyone, is taken back (SET NX) and the
 *   outcome recorded, as the SQL queue accepts a lapsed lease nobody re-reserved.
 * - **Lease runs out**: BullMQ's stalled-job check (`moveStalledJobsToWait`) moves an active job
 *   whose lock is gone back to wait and counts it in the job's `stc`. This adapter runs that
 *   check itself (`expireLeases`, and every `recoverEveryMs`), so a lapsed lease becomes
 *   reservable within that interval, not at the instant it lapses.
 * - **previousAttemptUnsettled**: the job's `stc` is higher than the stall count recorded in its
 *   data at its last settled attempt (`stalls`), i.e. a reservation since then ended by stalling.
 * - **attempts** = BullMQ's `ats` (attempts started: every `moveToActive` adds one).
 * - **retryAt / uncertainSince / lastError**: kept in the job's data. A future `runAt` goes to
 *   BullMQ's delayed set (data written by the same script); `runAt` at or before the job's
 *   creation goes back to the front (see Ordering).
 * - **Dead letters** = BullMQ's failed set, kept until `pruneDead` (`removeOnFail: false`).
 * - **Completed jobs** are deleted at once; a second enqueue under the same `id` is ignored while
 *   the job exists in any state, and for `dedupeWindowMs` after it completed (BullMQ's
 *   deduplication key with a TTL), which is how the outbox relay's re-run after a crash is harmless.
 * - **Partitions** are registered on enqueue and forgotten (`prunePartitions`, every
 *   `pruneEveryMs`) once they hold no job in any state, with BullMQ's bookkeeping keys.
 *
 * **Ordering.** Every job carries priority 1, so due jobs wait in BullMQ's prioritized sorted set,
 * scored `2^32 + counter` (enqueue order); jobs with a future `runAt` wait in the delayed set,
 * scored by `runAt` then enqueue order, and move to the prioritized set (behind what is there)
 * at the first `reserve` after they are due. `retryAt(job, t ≤ job.createdAt)` uses
 * `moveJobFromActiveToWait`, which puts a prioritized job back at score `2^32` exactly: ahead of
 * every job enqueued normally, and among jobs put back together in job-id order (Redis orders
 * equal scores by member), which is enqueue order because ids here sort as they were made (the
 * relay pads outbox ids; generated ids start with the time). Where this differs from "due
 * jobs by runAt, then enqueue order":
 *   1. a job scheduled for later is placed when it is first reserved-after-due, behind jobs that
 *      were enqueued due in between (between its due time and that reservation);
 *   2. jobs enqueued due are in enqueue order even when their `runAt`s (all in the past) are not
 *      (within one `enqueue` call they are sorted by `runAt` first);
 *   3. `retryAt(job, t)` with `job.createdAt < t ≤ now` goes to the back, as if enqueued now;
 *   4. jobs recovered from lapsed leases go to BullMQ's wait list, which is served before the
 *      prioritized set: ahead of everything else, among themselves in no defined order (a batch
 *      reserved at once is sorted by id, which repairs the common case).
 * The callback dispatcher's case — a URL's reserved batch put back with `retryAt(job,
 * job.createdAt)` while newer callbacks wait — is exact.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisQueueBackend } from 'bullmq';
import type { DeadJob, EnqueueSpec, Job, JobQueue, QueueCounts, ReserveOptions, RetryOptions } from '../job-queue.js';
import { packLeaseOptions } from './lease-options.js';
import { bullQueueName, decodePartition, encodePartition, registryKey, type PartitionName } from './partitions.js';

/** BullMQ's error codes of its finishing scripts (enums/error-code). */
const JOB_NOT_EXIST = -1;
const JOB_LOCK_NOT_EXIST = -2;
const JOB_NOT_IN_STATE = -3;
const JOB_LOCK_MISMATCH = -6;
const STALE_LEASE_CODES = new Set([JOB_NOT_EXIST, JOB_NOT_IN_STATE, JOB_LOCK_MISMATCH]);
/** A prioritized job: due jobs wait in the sorted set, in enqueue order (module doc). */
const PRIORITY = 1;
/** Delayed-set scores are `timestamp * 0x1000 + sequence` (BullMQ getDelayedScore). */
const DELAYED_SCORE_SCALE = 0x1000;
/** Entries BullMQ keeps in each partition's event stream (nobody here reads them). */
const MAX_EVENTS_PER_PARTITION = 10;
/** Partitions whose BullMQ handle (a few strings; no connection) stays cached. */
const MAX_CACHED_PARTITIONS = 10_000;
const DEFAULT_DEDUPE_WINDOW_MS = 15 * 60_000;
const DEFAULT_RECOVER_EVERY_MS = 5_000;
const DEFAULT_PRUNE_EVERY_MS = 10 * 60_000;
/**
 * KEYS: the registry, then ARGV[2] keys that hold jobs, then bookkeeping keys; ARGV[1]: the
 * partition's registry field. Deletes the partition when none of its job-holding keys exists.
 */
const PRUNE_PARTITION = `
local busy = tonumber(ARGV[2])
for index = 2, busy + 1 do
  if redis.call('EXISTS', KEYS[index]) == 1 then return 0 end
end
for index = busy + 2, #KEYS do redis.call('DEL', KEYS[index]) end
return redis.call('HDEL', KEYS[1], ARGV[1])
`;
/**
 * KEYS: a partition's wait list, prioritized set and delayed set; ARGV[1]: its job key prefix,
 * ARGV[2]: the highest delayed score that is due. The smallest `timestamp` (enqueue time) among
 * the jobs next in line: both ends of the wait list (recovered leases, in no defined order), the
 * head of the prioritized set and the first due delayed job; false when none is there. Each is
 * the oldest of its place as jobs are placed (module doc, Ordering), so this is the oldest ready
 * job but for a few reshuffles, at four lookups whatever the backlog.
 */
const OLDEST_READY = `
local oldest = false
local function consider(id)
  if not id then return end
  local created = tonumber(redis.call('HGET', ARGV[1] .. id, 'timestamp'))
  if created and (not oldest or created < oldest) then oldest = created end
end
consider(redis.call('LINDEX', KEYS[1], 0))
consider(redis.call('LINDEX', KEYS[1], -1))
consider(redis.call('ZRANGE', KEYS[2], 0, 0)[1])
consider(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[2], 'LIMIT', 0, 1)[1])
return oldest
`;
/** The name OLDEST_READY is defined under on the shared connection (sent by SHA once loaded). */
const OLDEST_READY_COMMAND = 'wabridgeOldestReady';
type OldestReadyPipeline = Record<typeof OLDEST_READY_COMMAND, (...args: Array<string | number>) => unknown>;
/** How long a lapsed lock taken back to settle its job is held (the settle follows at once). */
const RETAKEN_LOCK_MS = 10_000;

export interface BullmqJobQueueOptions {
  /** The connection every partition shares (`maxRetriesPerRequest: null`, as BullMQ asks). */
  redis: Redis;
  /** The BullMQ backend that owns the scripts on `redis`; partitions are its `forQueue` siblings. */
  root: RedisQueueBackend;
  prefix: string;
  logger?: Logger;
  /** How long after completion a repeated enqueue under the same id is still ignored. */
  dedupeWindowMs?: number;
  /** How often lapsed leases are looked for (0: only on `expireLeases`; no pruning either). */
  recoverEveryMs?: number;
  /** How often partitions with no jobs are forgotten (`prunePartitions`; 0: never by itself). */
  pruneEveryMs?: number;
  /** Called by `close()` after the queue stops (e.g. quitting a connection the factory opened). */
  onClose?: () => Promise<void>;
}

/** What a job keeps in its BullMQ data (JSON). */
interface JobData {
  ref: string;
  lastError?: string;
  uncertainSince?: number;
  /** The job's stall count (`stc`) at its last settled attempt. */
  stalls?: number;
}

/** What this process knows of a reservation it handed out. */
interface Lease {
  bullName: string;
  jobId: string;
  token: string;
  stalls: number;
  data: JobData;
}

export class BullmqJobQueue implements JobQueue {
  readonly #redis: Redis;
  readonly #root: RedisQueueBackend;
  readonly #prefix: string;
  readonly #logger: Logger | undefined;
  readonly #dedupeWindowMs: number;
  readonly #onClose: (() => Promise<void>) | undefined;
  readonly #partitions = new Map<string, RedisQueueBackend>();
  readonly #leases = new WeakMap<Job, Lease>();
  readonly #idPrefix = randomBytes(3).toString('hex');
  #idSequence = 0;
  #recoverTimer: NodeJS.Timeout | undefined;
  #recovering: Promise<unknown> | undefined;
  #closed = false;

  constructor(options: BullmqJobQueueOptions) {
    this.#redis = options.redis;
    this.#root = options.root;
    this.#prefix = options.prefix;
    this.#logger = options.logger;
    this.#dedupeWindowMs = options.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
    this.#onClose = options.onClose;
    const every = options.recoverEveryMs ?? DEFAULT_RECOVER_EVERY_MS;
    const pruneEveryMs = options.pruneEveryMs ?? DEFAULT_PRUNE_EVERY_MS;
    let lastPrune = Date.now();
    if (every > 0) {
      this.#recoverTimer = setInterval(() => {
        if (this.#recovering) return;
        const prune = pruneEveryMs > 0 && Date.now() - lastPrune >= pruneEveryMs;
        if (prune) lastPrune = Date.now();
        this.#recovering = this.expireLeases()
          .then(() => (prune ? this.prunePartitions() : 0))
          .catch((error: unknown) => this.#logger?.error({ err: error }, 'queue upkeep (lapsed leases, idle partitions) failed; trying again later'))
          .finally(() => (this.#recovering = undefined));
      }, every);
      this.#recoverTimer.unref();
    }
  }

  async enqueue(jobs: readonly EnqueueSpec[]): Promise<void> {
    const byPartition = new Map<string, { name: PartitionName; jobs: EnqueueSpec[] }>();
    for (const job of jobs) {
      const bullName = bullQueueName(job.queue, job.partitionKey);
      let group = byPartition.get(bullName);
      if (!group) byPartition.set(bullName, (group = { name: { queue: job.queue, partitionKey: job.partitionKey }, jobs: [] }));
      group.jobs.push(job);
    }
    const now = Date.now();
    await Promise.all(
      [...byPartition].map(async ([bullName, group]) => {
        const partition = this.#partition(bullName);
        // Fewer events kept per partition than BullMQ's 10,000: there may be a great many partitions.
        await this.#redis.hset(partition.toKey('meta'), 'opts.maxLenEvents', MAX_EVENTS_PER_PARTITION);
        // Sorted by due time (stable, so enqueue order among equals): the prioritized set keeps add order.
        const ordered = [...group.jobs].sort((a, b) => (a.runAt ?? now) - (b.runAt ?? now));
        await partition.addJobs(ordered.map((job) => this.#entry(job, now)));
        // Registered after the jobs exist, so a registry entry never points at a partition that
        // might look empty when its jobs are already there.
        await this.#redis.hset(registryKey(this.#prefix), bullName, encodePartition(group.name));
      }),
    );
  }

  async reserve(queue: string, options: ReserveOptions): Promise<Job[]> {
    const bullName = bullQueueName(queue, options.partitionKey);
    const partition = this.#partition(bullName);
    const token = randomUUID();
    const scriptKeys = ['wait', 'active', 'prioritized', 'events', 'stalled', 'limiter', 'delayed', 'paused', 'meta', 'pc', 'marker'].map((type) => partition.toKey(type));
    const args = [...scriptKeys, partition.toKey(''), options.now ?? Date.now(), packLeaseOptions(token, options.leaseMs)];
    const client = await partition.client;
    const jobs: Job[] = [];
    // Each moveToActive takes one job; they are sent a growing number at a time (1, 2, 4 …) so a
    // small partition costs one round trip and a large batch a few.
    for (let wave = 1; jobs.length < options.limit; wave *= 2) {
      const size = Math.min(wave, options.limit - jobs.length);
      const results = (await Promise.all(Array.from({ length: size }, () => partition.execCommand(client, 'moveToActive', args)))) as unknown[][];
      let drained = false;
      for (const result of results) {
        if (!Array.isArray(result[0])) {
          drained = true;
          continue;
        }
        jobs.push(this.#toJob(queue, options.partitionKey, bullName, String(result[1]), result[0] as string[], token));
      }
      if (drained) break;
    }
    return sortRecoveredById(jobs);
  }

  async ack(job: Job): Promise<boolean> {
    const lease = this.#leases.get(job);
    if (!lease) return false;
    const partition = this.#partition(lease.bullName);
    return this.#settle(lease, () => partition.moveToCompleted({ id: lease.jobId, opts: {} } as never, null, true, lease.token, false));
  }

  async retryAt(job: Job, runAt: number, options: RetryOptions = {}): Promise<void> {
    const lease = this.#leases.get(job);
    if (!lease) return;
    const partition = this.#partition(lease.bullName);
    const data: JobData = { ref: lease.data.ref, stalls: lease.stalls };
    if (options.error !== undefined) data.lastError = options.error;
    const uncertainSince = lease.data.uncertainSince ?? options.uncertainSince;
    if (uncertainSince !== undefined) data.uncertainSince = uncertainSince;
    let settled: boolean;
    if (runAt <= job.createdAt) {
      // Back at its original place: the front of the prioritized set (module doc, Ordering). The
      // move cannot write data, so the data goes first; if the lease turns out stale, the job's
      // new holder still settles it and writes its own (an earlier uncertainSince only holds a
      // resend back, never hastens one).
      await partition.updateData({ id: lease.jobId } as never, data);
      settled = await this.#settle(lease, () => partition.moveJobFromActiveToWait(lease.jobId, lease.token));
    } else {
      // Delayed until runAt (BullMQ scores it by timestamp + delay: here runAt + 0), data written by the same script.
      settled = await this.#settle(lease, () =>
        partition.moveToDelayed(lease.jobId, runAt, 0, lease.token, { skipAttempt: true, fieldsToUpdate: { data: JSON.stringify(data) } }),
      );
    }
    if (!settled) this.#logger?.debug({ jobId: job.id }, 'retryAt on a stale lease: the job was reserved again meanwhile');
  }

  async deadLetter(job: Job, reason: string): Promise<void> {
    const lease = this.#leases.get(job);
    if (!lease) return;
    const partition = this.#partition(lease.bullName);
    // attempts: 1, because the script compares attempts made with it to emit "retries-exhausted".
    const settled = await this.#settle(lease, () => partition.moveToFailed({ id: lease.jobId, opts: { attempts: 1 } } as never, reason, false, lease.token, false));
    if (!settled) this.#logger?.debug({ jobId: job.id }, 'deadLetter on a stale lease: the job was reserved again meanwhile');
  }

  /**
   * Moves every job whose lock has lapsed back to be reserved, in every partition, and returns
   * how many. Live leases are left alone: with several processes on one Redis, a live lock may be
   * another process's, and there is no telling a dead owner's lock from a slow one's. A crashed
   * process's leases therefore come back when their `leaseMs` runs out (plus `recoverEveryMs`),
   * not at the next start. `now` is not used: locks expire on Redis's clock.
   */
  async expireLeases(_now?: number): Promise<number> {
    let recovered = 0;
    const partitions = await this.#registered();
    const pipeline = this.#redis.pipeline();
    for (const [bullName] of partitions) pipeline.llen(this.#partition(bullName).toKey('active'));
    const active = ((await pipeline.exec()) ?? []).map(([error, length]) => (error ? 1 : Number(length)));
    for (const [index, [bullName]] of partitions.entries()) {
      if (active[index] === 0) continue;
      const partition = this.#partition(bullName);
      // BullMQ's check is two-phase (it moves jobs marked by its previous run, then marks every
      // active job) and throttled by the stalled-check key; clearing the key and running it twice
      // moves every active job whose lock is gone now. Locks, not marks, decide.
      for (let pass = 0; pass < 2; pass++) {
        await this.#redis.del(partition.toKey('stalled-check'));
        recovered += (await partition.moveStalledJobsToWait()).length;
      }
    }
    return recovered;
  }

  async counts(now = Date.now()): Promise<QueueCounts[]> {
    const partitions = await this.#registered();
    if (!(OLDEST_READY_COMMAND in this.#redis)) this.#redis.defineCommand(OLDEST_READY_COMMAND, { numberOfKeys: 3, lua: OLDEST_READY });
    const pipeline = this.#redis.pipeline();
    const dueScore = (now + 1) * DELAYED_SCORE_SCALE - 1;
    for (const [bullName] of partitions) {
      const key = (type: string) => this.#partition(bullName).toKey(type);
      pipeline.llen(key('wait')).zcard(key('prioritized')).zcount(key('delayed'), '-inf', dueScore).zcard(key('delayed')).llen(key('active')).zcard(key('failed'));
      (pipeline as unknown as OldestReadyPipeline)[OLDEST_READY_COMMAND](key('wait'), key('prioritized'), key('delayed'), key(''), dueScore);
    }
    const replies = ((await pipeline.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value === null ? null : Number(value);
    });
    const rows: QueueCounts[] = [];
    partitions.forEach(([, name], index) => {
      const [wait, prioritized, dueDelayed, delayed, active, failed, oldestReadyAt] = replies.slice(index * 7, index * 7 + 7) as [number, number, number, number, number, number, number | null];
      const ready = wait + prioritized + dueDelayed;
      const row = { ...name, ready, scheduled: delayed - dueDelayed, leased: active, dead: failed, oldestReadyAt: ready > 0 ? oldestReadyAt : null };
      if (row.ready + row.scheduled + row.leased + row.dead > 0) rows.push(row);
    });
    return rows;
  }

  async listDead(queue: string, limit: number): Promise<DeadJob[]> {
    if (limit <= 0) return [];
    const partitions = (await this.#registered()).filter(([, name]) => name.queue === queue);
    const candidates: Array<{ bullName: string; name: PartitionName; jobId: string; deadAt: number }> = [];
    for (const [bullName, name] of partitions) {
      const flat = await this.#redis.zrevrange(this.#partition(bullName).toKey('failed'), 0, Math.min(limit, 1_000_000) - 1, 'WITHSCORES');
      for (let index = 0; index < flat.length; index += 2) candidates.push({ bullName, name, jobId: flat[index]!, deadAt: Number(flat[index + 1]) });
    }
    candidates.sort((a, b) => b.deadAt - a.deadAt || (a.jobId < b.jobId ? 1 : a.jobId > b.jobId ? -1 : 0));
    const chosen = candidates.slice(0, limit);
    const pipeline = this.#redis.pipeline();
    for (const candidate of chosen) pipeline.hmget(this.#partition(candidate.bullName).toKey(candidate.jobId), 'data', 'timestamp', 'ats', 'failedReason');
    const replies = (await pipeline.exec()) ?? [];
    return chosen.map((candidate, index) => {
      const [data, timestamp, ats, failedReason] = (replies[index]?.[1] ?? []) as Array<string | null>;
      return {
        id: `${candidate.bullName}/${candidate.jobId}`,
        queue: candidate.name.queue,
        partitionKey: candidate.name.partitionKey,
        ref: data ? (JSON.parse(data) as JobData).ref : '',
        attempts: Number(ats ?? 0),
        reason: failedReason ?? '',
        createdAt: Number(timestamp ?? 0),
        deadAt: candidate.deadAt,
      };
    });
  }

  async revive(deadJobIds: readonly string[]): Promise<number> {
    let found = 0;
    for (const deadId of deadJobIds) {
      const slash = deadId.indexOf('/');
      if (slash <= 0) continue;
      const bullName = deadId.slice(0, slash);
      const jobId = deadId.slice(slash + 1);
      const registered = await this.#redis.hget(registryKey(this.#prefix), bullName);
      if (!registered) continue;
      const partition = this.#partition(bullName);
      if ((await this.#redis.zscore(partition.toKey('failed'), jobId)) === null) continue;
      const data = await this.#redis.hget(partition.toKey(jobId), 'data');
      if (!data) continue;
      const name = decodePartition(registered);
      // Enqueued before the dead letter is removed: a crash in between revives it twice, never zero times.
      await this.enqueue([{ queue: name.queue, partitionKey: name.partitionKey, ref: (JSON.parse(data) as JobData).ref }]);
      await partition.remove(jobId, false);
      found++;
    }
    return found;
  }

  async pruneDead(olderThan: number, limit: number): Promise<number> {
    let pruned = 0;
    for (const [bullName] of await this.#registered()) {
      if (pruned >= limit) break;
      const partition = this.#partition(bullName);
      const old = await this.#redis.zrangebyscore(partition.toKey('failed'), '-inf', `(${olderThan}`, 'LIMIT', 0, limit - pruned);
      for (const jobId of old) pruned += (await partition.remove(jobId, false)) > 0 ? 1 : 0;
    }
    return pruned;
  }

  /**
   * Forgets partitions with no job in any state (a callback URL nobody uses any more), deleting
   * BullMQ's bookkeeping keys of each, so Redis does not grow with every partition ever seen.
   * Atomic per partition; `enqueue` registers a partition after adding its jobs, so a partition
   * pruned while jobs are being added is registered again right after. Returns how many.
   */
  async prunePartitions(): Promise<number> {
    let pruned = 0;
    for (const [bullName] of await this.#registered()) {
      const key = (type: string) => this.#partition(bullName).toKey(type);
      const busy = ['wait', 'paused', 'prioritized', 'delayed', 'active', 'failed', 'completed', 'waiting-children'].map(key);
      const bookkeeping = ['meta', 'id', 'events', 'pc', 'marker', 'stalled', 'stalled-check', 'limiter'].map(key);
      const keys = [registryKey(this.#prefix), ...busy, ...bookkeeping];
      pruned += Number(await this.#redis.eval(PRUNE_PARTITION, keys.length, ...keys, bullName, busy.length));
    }
    return pruned;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#recoverTimer);
    await this.#recovering;
    await this.#onClose?.();
  }

  /** The BullMQ handle of a partition: a sibling of the root backend, on the same connection. */
  #partition(bullName: string): RedisQueueBackend {
    let partition = this.#partitions.get(bullName);
    if (partition) return partition;
    if (this.#partitions.size >= MAX_CACHED_PARTITIONS) this.#partitions.delete(this.#partitions.keys().next().value!);
    partition = this.#root.forQueue(bullName) as RedisQueueBackend;
    this.#partitions.set(bullName, partition);
    return partition;
  }

  /** Every registered partition: [BullMQ name, queue and partition key]. */
  async #registered(): Promise<Array<[string, PartitionName]>> {
    const all = await this.#redis.hgetall(registryKey(this.#prefix));
    return Object.entries(all).map(([bullName, value]) => [bullName, decodePartition(value)]);
  }

  #entry(job: EnqueueSpec, now: number) {
    const runAt = job.runAt ?? now;
    const jobId = job.id ?? this.#newJobId(now);
    const data: JobData = { ref: job.ref };
    const opts: Record<string, unknown> = { jobId, priority: PRIORITY, removeOnComplete: true, removeOnFail: false };
    if (runAt > now) opts.delay = runAt - now;
    if (job.id !== undefined) opts.deduplication = { id: job.id, ttl: this.#dedupeWindowMs };
    const entry = { name: job.queue, data: JSON.stringify(data), opts, timestamp: now, ...(job.id !== undefined ? { deduplicationId: job.id } : {}) };
    return { job: entry as never, jobId };
  }

  /** Ids that sort as they were made (the time, then a sequence), unique across processes. */
  #newJobId(now: number): string {
    this.#idSequence = (this.#idSequence + 1) % 1e9;
    return `t${now.toString().padStart(15, '0')}.${this.#idSequence.toString().padStart(9, '0')}.${this.#idPrefix}`;
  }

  #toJob(queue: string, partitionKey: string, bullName: string, jobId: string, flat: string[], token: string): Job {
    const fields = new Map<string, string>();
    for (let index = 0; index + 1 < flat.length; index += 2) fields.set(flat[index]!, flat[index + 1]!);
    const data = JSON.parse(fields.get('data') ?? '{}') as JobData;
    const stalls = Number(fields.get('stc') ?? 0);
    const job: Job = {
      id: `${bullName}/${jobId}`,
      queue,
      partitionKey,
      ref: data.ref,
      attempts: Number(fields.get('ats') ?? 1),
      createdAt: Number(fields.get('timestamp') ?? 0),
      previousAttemptUnsettled: stalls > (data.stalls ?? 0),
    };
    if (data.uncertainSince !== undefined) job.uncertainSince = data.uncertainSince;
    if (data.lastError !== undefined) job.lastError = data.lastError;
    this.#leases.set(job, { bullName, jobId, token, stalls, data });
    return job;
  }

  /**
   * Runs a finishing script with the lease's token. True when it took effect; false when the
   * lease is stale (the job is gone, no longer active, or locked by another reservation). A lock
   * that simply lapsed, with the job still active and nobody else's, is taken back first.
   */
  async #settle(lease: Lease, finish: () => Promise<unknown>): Promise<boolean> {
    try {
      await finish();
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'number' && STALE_LEASE_CODES.has(code)) return false;
      if (code !== JOB_LOCK_NOT_EXIST) throw error;
    }
    const lockKey = `${this.#partition(lease.bullName).toKey(lease.jobId)}:lock`;
    if ((await this.#redis.set(lockKey, lease.token, 'PX', RETAKEN_LOCK_MS, 'NX')) !== 'OK') return false;
    try {
      await finish();
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // Not active any more (recovered meanwhile): the lock taken back is released to expire on its own.
      if (typeof code === 'number' && (STALE_LEASE_CODES.has(code) || code === JOB_LOCK_NOT_EXIST)) return false;
      throw error;
    }
  }
}

/**
 * Jobs recovered from lapsed leases come off BullMQ's wait list in no defined order, ahead of
 * the rest; a batch sorts them back into id (enqueue) order. The rest keep the queue's order.
 */
function sortRecoveredById(jobs: Job[]): Job[] {
  let recovered = 0;
  while (recovered < jobs.length && jobs[recovered]!.previousAttemptUnsettled) recovered++;
  if (recovered < 2) return jobs;
  const head = jobs.slice(0, recovered).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return [...head, ...jobs.slice(recovered)];
}
