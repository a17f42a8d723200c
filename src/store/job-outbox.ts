/**
 * @module store/job-outbox
 * Jobs committed with a change, waiting to be moved into a queue that lives elsewhere (BullMQ on
 * Redis). The relay (queue/outbox-relay.ts) takes the oldest, enqueues them under ids derived
 * from their outbox id, and only then removes them: a crash in between enqueues them again
 * under the same ids, which the queue ignores. With the embedded queue the store writes jobs
 * straight into the queue's own table and this outbox stays empty.
 */
import type { JobSpec } from './effects.js';

export interface OutboxJob extends Required<JobSpec> {
  /** A decimal string; increases with commit order within one store. */
  id: string;
  createdAt: number;
}

export interface JobOutbox {
  /** The oldest `limit` jobs waiting, oldest first. */
  take(limit: number): Promise<OutboxJob[]>;
  /** The jobs are in the queue now. */
  remove(ids: readonly string[]): Promise<void>;
}
