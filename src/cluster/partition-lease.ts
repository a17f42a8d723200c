/**
 * @module cluster/partition-lease
 * A worker's hold on one partition (a sending number, a callback URL) through `Leases`. Asking
 * before each batch costs nothing while the lease is fresh: it is renewed only once a third of
 * its TTL has passed, and counted as usable only until a third before it ends — so a replica
 * that paused or lost Redis stops working the partition well before another can take it over,
 * and a second of pacing history never overlaps between the two.
 */
import type { Leases } from './leases.js';

export const DEFAULT_PARTITION_LEASE_MS = 10_000;

export class PartitionLease {
  readonly #leases: Leases;
  readonly #key: string;
  readonly #ttlMs: number;
  #renewedAt = -Infinity;
  #held = false;

  constructor(leases: Leases, key: string, ttlMs = DEFAULT_PARTITION_LEASE_MS) {
    this.#leases = leases;
    this.#key = key;
    this.#ttlMs = ttlMs;
  }

  get key(): string {
    return this.#key;
  }

  /** Whether this replica may work the partition now (taking or renewing the lease when due). */
  async hold(now = Date.now()): Promise<boolean> {
    if (this.#held && now - this.#renewedAt < this.#ttlMs / 3) return true;
    try {
      this.#held = await this.#leases.acquire(this.#key, this.#ttlMs);
      if (this.#held) this.#renewedAt = now;
    } catch {
      // Unreachable lease store: work on only while the last renewal is comfortably valid.
      this.#held = this.#held && now - this.#renewedAt < (this.#ttlMs * 2) / 3;
    }
    return this.#held;
  }

  /** Lets another replica take the partition at once (nothing left to do here). */
  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    await this.#leases.release(this.#key).catch(() => undefined);
  }
}
