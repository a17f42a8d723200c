/**
 * @module compose/queue
 * Where the workers take their jobs from, by `queue.kind`. Embedded: the store's own job table,
 * which the store writes with each change. BullMQ: a Redis queue shared by every replica, fed by
 * a relay that moves the jobs each change committed to the store's job outbox (store/job-outbox.ts).
 * The BullMQ adapter is imported only when configured, so embedded mode never loads bullmq or ioredis.
 */
import type { Logger } from 'pino';
import type { QueueConfig } from '../config/schema.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { Storage } from '../store/storage.js';
import type { Leases } from '../cluster/leases.js';
import { PartitionLease } from '../cluster/partition-lease.js';
import type { RelayedPartition } from '../queue/outbox-relay.js';
import type { Service } from './lifecycle.js';

export interface Jobs extends Service {
  /** What the dispatchers reserve from, retention prunes and the admin API counts. */
  queue: JobQueue;
  /** A change committed jobs: a relay moves them now rather than at its next poll. */
  committed(): void;
  /**
   * Tells `listener` which partitions received jobs, once they can be reserved: with a relay,
   * after it moved them (a worker woken at commit would look too early); embedded, never (the
   * commit itself wakes the workers).
   */
  onRelayed(listener: (partitions: readonly RelayedPartition[]) => void): void;
}

/** Where the store must put the jobs of committed changes for `queue.kind`. */
export function jobsDestination(queue: QueueConfig): 'queue' | 'outbox' {
  return queue.kind === 'bullmq' ? 'outbox' : 'queue';
}

export interface CreateJobsOptions {
  logger: Logger;
  /** Several replicas: only the holder of the `relay` lease relays (queue/outbox-relay.ts says why). */
  leases?: Leases;
  /**
   * Run the outbox relay (default true). A command beside the gateway (the CLI) only reads and
   * revives jobs, and leaves moving them to the gateways.
   */
  relay?: boolean;
}

export async function createJobs(config: QueueConfig, storage: Storage, options: CreateJobsOptions): Promise<Jobs> {
  switch (config.kind) {
    case 'embedded':
      return { queue: storage.queue, committed: () => {}, onRelayed: () => {}, stop: () => {} };
    case 'bullmq': {
      if (!config.redisUrl) throw new TypeError('queue.redisUrl is required when queue.kind is bullmq');
      const { logger } = options;
      const { createBullmqQueue } = await import('../queue/bullmq/create-bullmq-queue.js');
      const queue = await createBullmqQueue({ redisUrl: config.redisUrl, prefix: config.prefix, logger });
      if (options.relay === false) return { queue, committed: () => {}, onRelayed: () => {}, stop: () => queue.close() };
      try {
        const { OutboxRelay } = await import('../queue/outbox-relay.js');
        const lease = options.leases ? new PartitionLease(options.leases, 'relay') : undefined;
        const listeners: Array<(partitions: readonly RelayedPartition[]) => void> = [];
        const relay = new OutboxRelay({
          outbox: storage.jobOutbox,
          queue,
          logger,
          onRelayed: (partitions) => listeners.forEach((listener) => listener(partitions)),
          ...(lease ? { mayRelay: () => lease.hold() } : {}),
        });
        return {
          queue,
          committed: () => relay.wake(),
          onRelayed: (listener) => void listeners.push(listener),
          start: () => relay.start(),
          stop: async () => {
            try {
              await relay.stop();
              await lease?.release();
            } finally {
              await queue.close();
            }
          },
        };
      } catch (error) {
        await queue.close();
        throw error;
      }
    }
  }
}
