/**
 * A barrier for "and nothing else was sent": every send to Meta goes through a send job, and an
 * accepted message's job is committed before CleverTap gets its answer, so once no send job is
 * waiting, scheduled or running, nothing accepted so far can still reach Meta. Tests wait for
 * that instead of sleeping "long enough" before counting sends.
 */
import type { Gateway } from '../../src/gateway.js';
import { SEND_QUEUE } from '../../src/pipeline/acceptor.js';

/** Send jobs not yet finished (ready, scheduled for later, or leased by the dispatcher). */
export async function unfinishedSends(gateway: Pick<Gateway, 'queue'>): Promise<number> {
  let unfinished = 0;
  for (const counts of await gateway.queue.counts()) {
    if (counts.queue === SEND_QUEUE) unfinished += counts.ready + counts.scheduled + counts.leased;
  }
  return unfinished;
}

/** True once every send job accepted so far has finished. */
export async function sendsFinished(gateway: Pick<Gateway, 'queue'>): Promise<boolean> {
  return (await unfinishedSends(gateway)) === 0;
}
