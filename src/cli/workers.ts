/**
 * @module cli/workers
 * `wabridge start --workers N`: one machine's cores serving one gateway. The primary process
 * forks N workers with node:cluster; each is a full gateway replica (the same as one on another
 * machine), and they share the listening port, the primary handing each new connection to the
 * next worker. Replicas need shared state, so this runs only on Postgres + BullMQ; the primary
 * holds no state and restarts a worker that dies.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Config } from '../config/schema.js';

/** `auto` is one worker per core. */
export function parseWorkers(value: string): number {
  if (value === 'auto') return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 256) throw new RangeError(`--workers must be a whole number from 1 to 256, or auto (got "${value}")`);
  return count;
}

/** Why `config` cannot run as several workers, if it cannot. */
export function workersRefusal(config: Config): string | undefined {
  if (config.store.kind !== 'postgres' || config.queue.kind !== 'bullmq') {
    return 'several workers share their work through Postgres and Redis: set store.kind postgres and queue.kind bullmq (SQLite is one process; use --workers 1)';
  }
  const simulated = config.mode === 'sandbox' && (config.accounts.length === 0 || config.accounts.some((account) => !account.whatsapp.accessToken && !account.whatsapp.graphBaseUrl));
  if (simulated) return 'the built-in Meta simulator is one process: configure accounts with their own graphBaseUrl or access token, or use --workers 1';
  return undefined;
}

export function isWorker(): boolean {
  return cluster.isWorker;
}

/** The worker's number from 0 (the one that prints the banner), or undefined in the primary. */
export function workerIndex(): number | undefined {
  const index = process.env.WABRIDGE_WORKER_INDEX;
  return index === undefined ? undefined : Number(index);
}

/** Runs the primary: forks `count` workers, replaces any that die, stops them all on SIGINT/SIGTERM. */
export function runPrimary(count: number, log: (line: string) => void = (line) => process.stderr.write(line + '\n')): void {
  let stopping = false;
  const fork = (index: number): Worker => {
    const worker = cluster.fork({ WABRIDGE_WORKER_INDEX: String(index) });
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      log(`wabridge: worker ${index} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); starting another`);
      // A worker that cannot start at all (bad config, store down) must not spin the CPU.
      setTimeout(() => fork(index), 1_000).unref();
    });
    return worker;
  };
  for (let index = 0; index < count; index++) fork(index);
  log(`wabridge: ${count} workers starting (primary pid ${process.pid})`);

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    let running = workers.length;
    if (running === 0) process.exit(0);
    for (const worker of workers) {
      worker.once('exit', () => {
        if (--running === 0) process.exit(0);
      });
      worker.process.kill(signal);
    }
    setTimeout(() => process.exit(1), 20_000).unref();
  };
  process.on('SIGINT', () => stop('SIGTERM'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
