/**
 * A barrier for "and nothing else was sent": every send to Meta and every callback to CleverTap
 * goes through a job, committed before the request that caused it is answered (CleverTap's
 * `success`, Meta's webhook 200). So once a queue has no job waiting, scheduled or running,
 * nothing caused so far can still go out through it. Tests wait for that instead of sleeping
 * "long enough" before counting what went out.
 */
import type { Gateway } from '../../src/gateway.js';
import { CALLBACK_QUEUE, SEND_QUEUE } from '../../src/store/effects.js';

/** Jobs of `queue` not yet finished (ready, scheduled for later, or leased by a worker). */
export async function unfinishedJobs(gateway: Pick<Gateway, 'queue'>, queue: string): Promise<number> {
  let unfinished = 0;
  for (const counts of await gateway.queue.counts()) {
    if (counts.queue === queue) unfinished += counts.ready + counts.scheduled + counts.leased;
  }
  return unfinished;
}

/** True once every send to Meta accepted so far has finished. */
export async function sendsFinished(gateway: Pick<Gateway, 'queue'>): Promise<boolean> {
  return (await unfinishedJobs(gateway, SEND_QUEUE)) === 0;
}

/** True once every callback to CleverTap owed so far has been delivered (or dead-lettered). */
export async function callbacksFinished(gateway: Pick<Gateway, 'queue'>): Promise<boolean> {
  return (await unfinishedJobs(gateway, CALLBACK_QUEUE)) === 0;
}
