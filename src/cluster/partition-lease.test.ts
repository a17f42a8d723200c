import { describe, expect, it } from 'vitest';
import type { Leases } from './leases.js';
import { LeaderElection } from './leader.js';
import { MemoryLeaseTable, MemoryLeases } from './memory/memory-leases.js';
import { PartitionLease } from './partition-lease.js';

/** Leases that count the calls reaching the store and can be made to fail. */
function counted(leases: Leases): Leases & { calls: number; failing: boolean } {
  const wrapper = {
    owner: leases.owner,
    calls: 0,
    failing: false,
    async acquire(key: string, ttlMs: number) {
      wrapper.calls++;
      if (wrapper.failing) throw new Error('lease store unreachable');
      return leases.acquire(key, ttlMs);
    },
    release: (key: string) => leases.release(key),
    holder: (key: string) => leases.holder(key),
  };
  return wrapper;
}

describe('PartitionLease', () => {
  it('asks the lease store only once a third of the TTL has passed, and yields to the holder', async () => {
    let now = 1_000_000;
    const table = new MemoryLeaseTable();
    const a = counted(new MemoryLeases({ owner: 'a', table, now: () => now }));
    const b = new PartitionLease(new MemoryLeases({ owner: 'b', table, now: () => now }), 'send:acme', 9_000);
    const lease = new PartitionLease(a, 'send:acme', 9_000);
    expect(await lease.hold(now)).toBe(true);
    expect(await lease.hold(now + 2_000)).toBe(true);
    expect(a.calls).toBe(1);
    expect(await b.hold(now)).toBe(false);
    now += 3_500;
    expect(await lease.hold(now)).toBe(true);
    expect(a.calls).toBe(2);
    await lease.release();
    expect(await b.hold(now)).toBe(true);
    expect(await lease.hold(now)).toBe(false);
  });

  it('stops working a partition well before its lease could pass to another replica when the store is unreachable', async () => {
    const start = 1_000_000;
    const leases = counted(new MemoryLeases({ owner: 'a', now: () => start }));
    const lease = new PartitionLease(leases, 'callbacks:url', 9_000);
    expect(await lease.hold(start)).toBe(true);
    leases.failing = true;
    expect(await lease.hold(start + 4_000)).toBe(true);
    expect(await lease.hold(start + 6_001)).toBe(false);
  });
});

describe('LeaderElection', () => {
  it('elects one leader among replicas, and another once the leader stops', async () => {
    const table = new MemoryLeaseTable();
    const changes: string[] = [];
    const a = new LeaderElection({ leases: new MemoryLeases({ owner: 'a', table }), ttlMs: 60_000, onChange: (leader) => changes.push(`a:${leader}`) });
    const b = new LeaderElection({ leases: new MemoryLeases({ owner: 'b', table }), ttlMs: 60_000, onChange: (leader) => changes.push(`b:${leader}`) });
    await a.start();
    await b.start();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    await a.stop();
    expect(a.isLeader()).toBe(false);
    await b.start();
    expect(b.isLeader()).toBe(true);
    expect(changes).toEqual(['a:true', 'a:false', 'b:true']);
    await b.stop();
  });
});
