/**
 * @module cluster/memory/memory-leases
 * Leases inside one process. Replicas that share a `MemoryLeaseTable` contend as replicas on
 * Redis would (tests use that); a gateway in embedded mode has its own table and always wins.
 */
import type { Leases } from '../leases.js';

export class MemoryLeaseTable {
  readonly held = new Map<string, { owner: string; until: number }>();
}

export class MemoryLeases implements Leases {
  readonly owner: string;
  readonly #table: MemoryLeaseTable;
  readonly #now: () => number;

  constructor(options: { owner: string; table?: MemoryLeaseTable; now?: () => number }) {
    this.owner = options.owner;
    this.#table = options.table ?? new MemoryLeaseTable();
    this.#now = options.now ?? Date.now;
  }

  async acquire(key: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const current = this.#table.held.get(key);
    if (current && current.owner !== this.owner && current.until > now) return false;
    this.#table.held.set(key, { owner: this.owner, until: now + ttlMs });
    return true;
  }

  async release(key: string): Promise<void> {
    if (this.#table.held.get(key)?.owner === this.owner) this.#table.held.delete(key);
  }

  async holder(key: string): Promise<string | undefined> {
    const current = this.#table.held.get(key);
    return current && current.until > this.#now() ? current.owner : undefined;
  }
}
