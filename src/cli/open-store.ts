/**
 * @module cli/open-store
 * The store and queue as a command beside the gateway sees them: built by the same factories as
 * the gateway's (compose/storage.ts, compose/queue.ts), but as a tool. It takes no data-directory
 * lock, leaves the leases of a running gateway's work alone, and runs no outbox relay.
 */
import pino, { type Logger } from 'pino';
import { createJobs, jobsDestination } from '../compose/queue.js';
import { createStorage } from '../compose/storage.js';
import type { Config } from '../config/schema.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { Storage } from '../store/storage.js';

export interface OpenStore {
  storage: Storage;
  /** Where the gateways' jobs wait (their dead letters too). */
  queue: JobQueue;
  close(): Promise<void>;
}

export async function openStore(config: Config, logger: Logger = toolLogger(config)): Promise<OpenStore> {
  const storage = await createStorage(config.store, { jobs: jobsDestination(config.queue), logger, role: 'tool' });
  try {
    const jobs = await createJobs(config.queue, storage, { logger, relay: false });
    return {
      storage,
      queue: jobs.queue,
      close: async () => {
        try {
          await jobs.stop();
        } finally {
          await storage.close();
        }
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/** Warnings and errors on stderr; stdout is the command's answer. */
function toolLogger(config: Config): Logger {
  return pino({ level: config.log.level === 'silent' ? 'silent' : 'warn' }, pino.destination(2));
}
