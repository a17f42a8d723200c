/**
 * @module store/storage.conformance
 * What every conformance suite shares, not a suite itself: the fixtures (a storage adapter, or a
 * queue), hono's skip list with reasons, a fresh storage per test, and a way to see the jobs a
 * storage committed whether it routes them to its embedded queue or to its job outbox.
 *
 * The suites run from one place, `test/conformance/storages.test.ts`, against every entry of
 * `test/support/storages.ts` (kysely's habit: one list of backends, every test loops over it).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobQueue } from '../queue/job-queue.js';
import type { StoredCallback } from './callback-outbox.js';
import { CALLBACK_QUEUE } from './effects.js';
import type { Storage } from './storage.js';

/**
 * Tests an adapter legitimately cannot pass, and why. Tests are named `"<Port> > <test name>"`,
 * e.g. `"JobQueue > reserves due jobs of one partition, oldest first, up to the limit"`.
 */
export interface SkipRule {
  reason: string;
  tests: readonly string[];
}

export interface StorageFixture {
  /** Also what `STORAGES=` selects by. */
  name: string;
  /** Where the storages it makes commit jobs (`Storage.jobs`); the suites check they agree. */
  jobs: 'queue' | 'outbox';
  /** A new, empty storage of its own; its `close()` removes its data. */
  create(): Promise<Storage>;
  /**
   * A restart: closes `storage` (made by this fixture) keeping its data, and opens the same data
   * again. Closing the storage it returns removes the data.
   */
  reopen(storage: Storage): Promise<Storage>;
  skip?: readonly SkipRule[];
}

export interface QueueFixture {
  /** Also what `QUEUES=` selects by. */
  name: string;
  /** A new, empty queue of its own; `close()` releases it and removes its data. */
  create(): Promise<{ queue: JobQueue; close(): Promise<void> }>;
  skip?: readonly SkipRule[];
}

type Skippable = Pick<StorageFixture, 'skip'>;

/** A conformance test: skipped, with its reason in the title, when the fixture's skip list names it. */
export type ConformanceTest = (name: string, body: () => Promise<void>) => void;

const namesByFixture = new WeakMap<Skippable, Set<string>>();

/**
 * `describe(port)` whose `test` honours the fixture's skip list. Every name is remembered, so
 * `checkSkipList` can tell a skip that names no test (a typo skips nothing, silently).
 */
export function conformanceSuite(port: string, fixture: Skippable, body: (test: ConformanceTest) => void): void {
  let names = namesByFixture.get(fixture);
  if (!names) namesByFixture.set(fixture, (names = new Set()));
  const known = names;
  describe(port, () =>
    body((name, testBody) => {
      const qualified = `${port} > ${name}`;
      known.add(qualified);
      const rule = fixture.skip?.find((candidate) => candidate.tests.includes(qualified));
      if (rule) it.skip(`${name} [skipped: ${rule.reason}]`, testBody);
      else it(name, testBody);
    }),
  );
}

/** Registers, after the suites, a test that every test the fixture skips exists. */
export function checkSkipList(fixture: Skippable): void {
  const skipped = fixture.skip?.flatMap((rule) => rule.tests) ?? [];
  if (skipped.length === 0) return;
  it('skips only tests that exist', () => {
    const known = namesByFixture.get(fixture) ?? new Set<string>();
    expect(skipped.filter((name) => !known.has(name))).toEqual([]);
  });
}

export interface StorageUnderTest {
  /** This test's storage. */
  readonly storage: Storage;
  /** Closes the storage keeping its data and opens it again; `storage` is the new one after. */
  restart(): Promise<Storage>;
}

/** A new storage from `fixture` for every test of the surrounding `describe`, closed and removed after it. */
export function storageFor(fixture: StorageFixture): StorageUnderTest {
  let current: Storage | undefined;
  beforeEach(async () => {
    current = await fixture.create();
  });
  afterEach(async () => {
    const storage = current;
    current = undefined;
    await storage?.close();
  });
  return {
    get storage() {
      if (!current) throw new Error('no storage outside a test');
      return current;
    },
    async restart() {
      if (!current) throw new Error('no storage outside a test');
      current = await fixture.reopen(current);
      return current;
    },
  };
}

/** A committed job as a test compares it. */
export interface CommittedJob {
  queue: string;
  partitionKey: string;
  ref: string;
}

/** Further in the future than any due time a test sets, so `reserve` sees every committed job. */
const FAR_FUTURE = Date.now() + 10 * 365 * 24 * 3600_000;

/**
 * Takes the jobs `storage` committed to one partition of `queue` since the last take, oldest
 * first: from its embedded queue (reserved, then acknowledged) when `jobs` is `queue`, from its
 * job outbox (taken, then removed) when `jobs` is `outbox`. Taking them means a second call sees
 * only what committed in between.
 */
export async function takeCommittedJobs(storage: Storage, queue: string, partitionKey: string): Promise<CommittedJob[]> {
  if (storage.jobs === 'outbox') {
    const jobs = (await storage.jobOutbox.take(10_000)).filter((job) => job.queue === queue && job.partitionKey === partitionKey);
    await storage.jobOutbox.remove(jobs.map((job) => job.id));
    return jobs.map((job) => ({ queue: job.queue, partitionKey: job.partitionKey, ref: job.ref }));
  }
  const jobs = await storage.queue.reserve(queue, { partitionKey, limit: 10_000, leaseMs: 60_000, now: FAR_FUTURE });
  await Promise.all(jobs.map((job) => storage.queue.ack(job)));
  return jobs.map((job) => ({ queue: job.queue, partitionKey: job.partitionKey, ref: job.ref }));
}

/** Takes the callbacks owed to `url` since the last take (their delivery jobs' refs), oldest first. */
export async function takeOwedCallbacks(storage: Storage, url: string): Promise<StoredCallback[]> {
  const refs = (await takeCommittedJobs(storage, CALLBACK_QUEUE, url)).map((job) => job.ref);
  const callbacks = await storage.outbox.get(refs);
  // Every delivery job names a stored callback.
  expect(callbacks.map((callback) => callback.id).sort()).toEqual([...refs].sort());
  return refs.map((ref) => callbacks.find((callback) => callback.id === ref)!);
}

/** Ids compared as the 64-bit integers they are (`'10'` comes after `'9'`). */
export function byNumericId(a: { id: string }, b: { id: string }): number {
  const [x, y] = [BigInt(a.id), BigInt(b.id)];
  return x < y ? -1 : x > y ? 1 : 0;
}
