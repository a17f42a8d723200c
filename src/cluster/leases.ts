/**
 * @module cluster/leases
 * Exclusive, expiring ownership of a named thing across replicas: a sending number's lane, a
 * callback URL's delivery loop, the leader's schedules. Whoever holds a lease is the only one
 * doing that work until it is released or expires, so per-number pacing and per-URL order stay
 * the single-process code they are, and a replica that dies hands its work over when its leases
 * run out.
 *
 * Embedded mode has one process: its leases always grant (memory/memory-leases.ts). Scale-out
 * keeps them in Redis (redis/redis-leases.ts). Both pass `leases.conformance.ts`.
 */
export interface Leases {
  /** This replica's id, as lease values record it (for operators: who holds what). */
  readonly owner: string;
  /**
   * Takes `key` for `ttlMs`, or extends it when this replica already holds it. True when this
   * replica holds it now; false when another one does.
   */
  acquire(key: string, ttlMs: number): Promise<boolean>;
  /** Gives `key` up if this replica holds it (a no-op otherwise). */
  release(key: string): Promise<void>;
  /** Who holds `key` now, if anyone. */
  holder(key: string): Promise<string | undefined>;
}
