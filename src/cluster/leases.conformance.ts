/**
 * @module cluster/leases.conformance
 * The one suite every Leases adapter passes. `create(owner)` returns a replica's leases; replicas
 * made by one fixture contend for the same keys.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Leases } from './leases.js';

export interface LeasesFixture {
  name: string;
  /** A fresh lease space; `replica(owner)` is one replica's view of it. */
  create(): Promise<{ replica(owner: string): Leases; close(): Promise<void> }>;
}

/** Polls until `check` holds (leases expire on the store's clock, not a fake one). */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function runLeasesConformance(fixture: LeasesFixture): void {
  describe(`Leases conformance: ${fixture.name}`, () => {
    let space: Awaited<ReturnType<LeasesFixture['create']>>;
    beforeEach(async () => {
      space = await fixture.create();
    });
    afterEach(async () => space.close());

    it('grants a free key to one replica only, and renews it for its holder', async () => {
      const a = space.replica('a');
      const b = space.replica('b');
      expect(await a.acquire('number:1', 60_000)).toBe(true);
      expect(await b.acquire('number:1', 60_000)).toBe(false);
      expect(await a.acquire('number:1', 60_000)).toBe(true);
      expect(await a.holder('number:1')).toBe('a');
      expect(await b.acquire('number:2', 60_000)).toBe(true);
      expect(await b.holder('number:2')).toBe('b');
    });

    it('hands a key over once its holder releases it, and a release by another replica does nothing', async () => {
      const a = space.replica('a');
      const b = space.replica('b');
      await a.acquire('url:x', 60_000);
      await b.release('url:x');
      expect(await a.holder('url:x')).toBe('a');
      await a.release('url:x');
      expect(await a.holder('url:x')).toBeUndefined();
      expect(await b.acquire('url:x', 60_000)).toBe(true);
    });

    it('lets another replica take a key whose holder stopped renewing it', async () => {
      const a = space.replica('a');
      const b = space.replica('b');
      expect(await a.acquire('leader', 50)).toBe(true);
      await eventually(() => b.acquire('leader', 60_000), 'the expired lease to be taken');
      expect(await b.holder('leader')).toBe('b');
      // The old holder can neither renew nor release what it lost.
      expect(await a.acquire('leader', 60_000)).toBe(false);
      await a.release('leader');
      expect(await b.holder('leader')).toBe('b');
    });

    it('gives exactly one winner when many replicas race for one key', async () => {
      const replicas = Array.from({ length: 20 }, (_, index) => space.replica(`r${index}`));
      const won = await Promise.all(replicas.map((replica) => replica.acquire('race', 60_000)));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await replicas[0]!.holder('race')).toBe(replicas[won.indexOf(true)]!.owner);
    });
  });
}
