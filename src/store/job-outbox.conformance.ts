/**
 * @module store/job-outbox.conformance
 * The one suite every JobOutbox adapter passes, run from `test/conformance/storages.test.ts`.
 * A storage whose jobs go to the outbox (`jobs: 'outbox'`, paired with an external queue) must
 * hand the relay every committed job, oldest first, until it removes them; a storage whose jobs
 * go to its embedded queue leaves the outbox empty.
 */
import { expect } from 'vitest';
import { CALLBACK_QUEUE, SEND_QUEUE, type JobSpec } from './effects.js';
import { sampleMessage } from './message-store.conformance.js';
import { byNumericId, conformanceSuite, storageFor, type StorageFixture } from './storage.conformance.js';

const DLR_URL = 'https://ct.example/dlr';

export function runJobOutboxConformance(fixture: StorageFixture): void {
  conformanceSuite('JobOutbox', fixture, (test) => {
    const under = storageFor(fixture);

    test(`routes committed jobs as the fixture says (${fixture.jobs})`, async () => {
      expect(under.storage.jobs).toBe(fixture.jobs);
    });

    if (fixture.jobs === 'queue') {
      test('stays empty: committed jobs go straight into the embedded queue', async () => {
        const storage = under.storage;
        const message = sampleMessage();
        const later = Date.now() + 3_600_000;
        await storage.messages.acceptMessages([{ message, effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: message.id, runAt: later }] } }]);
        const beforeOwed = Date.now();
        await storage.outbox.owe([{ accountId: 'acme', kind: 'dlr', url: DLR_URL, payload: '{}' }]);
        const afterOwed = Date.now();
        expect(await storage.jobOutbox.take(100)).toEqual([]);
        const counts = await storage.queue.counts();
        expect(counts).toEqual(
          expect.arrayContaining([
            { queue: SEND_QUEUE, partitionKey: 'acme', ready: 0, scheduled: 1, leased: 0, dead: 0, oldestReadyAt: null },
            { queue: CALLBACK_QUEUE, partitionKey: DLR_URL, ready: 1, scheduled: 0, leased: 0, dead: 0, oldestReadyAt: expect.toSatisfy((at: number) => at >= beforeOwed && at <= afterOwed) },
          ]),
        );
      });
      return;
    }

    test('hands over committed jobs oldest first, with callbacks\u2019 delivery jobs, and none to the embedded queue', async () => {
      const storage = under.storage;
      const [a, b] = [sampleMessage(), sampleMessage()];
      const later = Date.now() + 3_600_000;
      const before = Date.now();
      await storage.messages.acceptMessages([
        { message: a, effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: a.id, runAt: later }] } },
        { message: b, effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: b.id }] } },
      ]);
      await storage.outbox.owe([{ accountId: 'acme', kind: 'dlr', url: DLR_URL, msgId: a.msgId, payload: '{}' }]);
      const after = Date.now();
      const jobs = await storage.jobOutbox.take(10);
      expect(jobs).toMatchObject([
        { queue: SEND_QUEUE, partitionKey: 'acme', ref: a.id, runAt: later },
        { queue: SEND_QUEUE, partitionKey: 'acme', ref: b.id },
        { queue: CALLBACK_QUEUE, partitionKey: DLR_URL },
      ]);
      for (const job of jobs) {
        expect(job.id).toMatch(/^[1-9][0-9]*$/);
        expect(job.createdAt).toBeGreaterThanOrEqual(before);
        expect(job.createdAt).toBeLessThanOrEqual(after);
      }
      // No runAt given: due when committed.
      expect(jobs[1]!.runAt).toBeGreaterThanOrEqual(before);
      expect(jobs[1]!.runAt).toBeLessThanOrEqual(after);
      expect(await storage.outbox.get([jobs[2]!.ref])).toMatchObject([{ msgId: a.msgId, url: DLR_URL }]);
      expect(await storage.queue.counts()).toEqual([]);
    });

    test('take is a look, remove is the relay\u2019s receipt', async () => {
      const storage = under.storage;
      // Twelve, so ids cross a decimal digit: '10' must come after '9'.
      const specs: JobSpec[] = Array.from({ length: 12 }, (_, index) => ({ queue: SEND_QUEUE, partitionKey: 'acme', ref: `m${index}` }));
      for (const spec of specs.slice(0, 4)) await storage.messages.acceptMessages([{ message: sampleMessage(), effects: { jobs: [spec] } }]);
      await storage.messages.acceptMessages(specs.slice(4).map((spec) => ({ message: sampleMessage(), effects: { jobs: [spec] } })));
      const all = await storage.jobOutbox.take(100);
      expect(all.map((job) => job.ref)).toEqual(specs.map((spec) => spec.ref));
      expect([...all].sort(byNumericId)).toEqual(all);
      expect(await storage.jobOutbox.take(3)).toEqual(all.slice(0, 3));
      expect(await storage.jobOutbox.take(3)).toEqual(all.slice(0, 3));
      await storage.jobOutbox.remove([all[0]!.id, all[2]!.id, all[10]!.id]);
      await storage.jobOutbox.remove([]);
      await storage.jobOutbox.remove(['999999999999', all[0]!.id]);
      expect((await storage.jobOutbox.take(3)).map((job) => job.ref)).toEqual(['m1', 'm3', 'm4']);
      await storage.jobOutbox.remove(all.map((job) => job.id));
      expect(await storage.jobOutbox.take(100)).toEqual([]);
    });

    test('keeps waiting jobs across a restart (a relay that crashed finds them again)', async () => {
      const message = sampleMessage();
      await under.storage.messages.acceptMessages([{ message, effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: message.id }] } }]);
      const before = await under.storage.jobOutbox.take(10);
      const storage = await under.restart();
      expect(await storage.jobOutbox.take(10)).toEqual(before);
      expect(before).toHaveLength(1);
    });
  });
}
