/**
 * @module compose/retention
 * The job that forgets old records, per the `retention` configuration.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { JobQueue } from '../queue/job-queue.js';
import { RetentionJob } from '../pipeline/retention.js';
import type { RetentionStore } from '../store/retention.js';
import type { Service } from './lifecycle.js';

export function retentionService(options: { retention: Config['retention']; store: RetentionStore; queue: JobQueue; logger: Logger; isLeader?(): boolean }): Service {
  const { retention } = options;
  const job = new RetentionJob({
    store: options.store,
    queue: options.queue,
    logger: options.logger,
    ...(options.isLeader ? { isLeader: options.isLeader } : {}),
    policy: {
      everyMs: retention.everyMs,
      keepDays: {
        messages: retention.messagesDays,
        deliveredCallbacks: retention.deliveredCallbacksDays,
        deadLetters: retention.deadLettersDays,
        inboundMessages: retention.inboundMessagesDays,
        clickLinks: retention.clickLinksDays,
      },
    },
  });
  return { start: () => job.start(), stop: () => job.stop() };
}
