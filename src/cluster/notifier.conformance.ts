/**
 * @module cluster/notifier.conformance
 * The one suite every Notifier adapter passes; notifiers made by one fixture are replicas on one bus.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Notifier } from './notifier.js';

export interface NotifierFixture {
  name: string;
  create(): Promise<{ replica(): Promise<Notifier>; close(): Promise<void> }>;
}

async function eventually(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function runNotifierConformance(fixture: NotifierFixture): void {
  describe(`Notifier conformance: ${fixture.name}`, () => {
    let bus: Awaited<ReturnType<NotifierFixture['create']>>;
    beforeEach(async () => {
      bus = await fixture.create();
    });
    afterEach(async () => bus.close());

    it('delivers a message to every subscriber of its topic on every replica, in order', async () => {
      const [a, b] = await Promise.all([bus.replica(), bus.replica()]);
      const seenA: string[] = [];
      const seenB: string[] = [];
      const other: string[] = [];
      await a.subscribe('wake', (message) => seenA.push(message));
      await b.subscribe('wake', (message) => seenB.push(message));
      await b.subscribe('opt-outs', (message) => other.push(message));
      for (const message of ['1', '2', '3']) await a.publish('wake', message);
      await eventually(() => seenA.length === 3 && seenB.length === 3, 'three messages on both replicas');
      expect(seenA).toEqual(['1', '2', '3']);
      expect(seenB).toEqual(['1', '2', '3']);
      expect(other).toEqual([]);
    });

    it('stops delivering to a subscriber that unsubscribed, and keeps the others', async () => {
      const [a, b] = await Promise.all([bus.replica(), bus.replica()]);
      const first: string[] = [];
      const second: string[] = [];
      const unsubscribe = await b.subscribe('templates', (message) => first.push(message));
      await b.subscribe('templates', (message) => second.push(message));
      await a.publish('templates', 'before');
      await eventually(() => first.length === 1 && second.length === 1, 'the first message');
      await unsubscribe();
      await a.publish('templates', 'after');
      await eventually(() => second.length === 2, 'the second message');
      expect(first).toEqual(['before']);
    });
  });
}
