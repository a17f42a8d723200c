/**
 * @module cluster/leader
 * One replica at a time runs the cluster's schedules (template sync, retention, outbox sweeps):
 * the one holding the `leader` lease. It renews the lease a third of the way into its TTL; a
 * leader that dies is replaced within one TTL. Schedules ask `isLeader()` when they fire, so a
 * replica that lost the lease (a long pause) stops at its next tick.
 */
import type { Leases } from './leases.js';

export const LEADER_KEY = 'leader';
export const DEFAULT_LEADER_TTL_MS = 15_000;

export class LeaderElection {
  readonly #leases: Leases;
  readonly #ttlMs: number;
  readonly #onChange: ((leader: boolean) => void) | undefined;
  #leader = false;
  /** Until when this replica may act as leader without renewing (a margin before the TTL ends). */
  #validUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: { leases: Leases; ttlMs?: number; onChange?(leader: boolean): void }) {
    this.#leases = options.leases;
    this.#ttlMs = options.ttlMs ?? DEFAULT_LEADER_TTL_MS;
    this.#onChange = options.onChange;
  }

  /** Whether this replica leads now (its last renewal is still comfortably valid). */
  isLeader(now = Date.now()): boolean {
    return this.#leader && now < this.#validUntil;
  }

  /** Tries for the lease at once, then keeps trying (or renewing) every third of the TTL; calling it again tries at once. */
  async start(): Promise<void> {
    await this.#tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (this.#leader) {
      this.#set(false);
      await this.#leases.release(LEADER_KEY).catch(() => undefined);
    }
  }

  async #tick(): Promise<void> {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    const askedAt = Date.now();
    try {
      const held = await this.#leases.acquire(LEADER_KEY, this.#ttlMs);
      // Valid from when we asked, not when the answer came, minus a third for clock drift and pauses.
      if (held) this.#validUntil = askedAt + (this.#ttlMs * 2) / 3;
      this.#set(held);
    } catch {
      // Redis unreachable: keep leading only while the last renewal is valid.
      if (Date.now() >= this.#validUntil) this.#set(false);
    }
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#tick(), this.#ttlMs / 3);
    this.#timer.unref();
  }

  #set(leader: boolean): void {
    if (leader === this.#leader) return;
    this.#leader = leader;
    this.#onChange?.(leader);
  }
}
