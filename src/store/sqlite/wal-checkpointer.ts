/**
 * @module store/sqlite/wal-checkpointer
 * Moves SQLite's WAL checkpoints off the event loop. Left to itself, SQLite checkpoints inside
 * whichever commit pushes the WAL past `wal_autocheckpoint` pages: that commit then copies the
 * WAL into the database file and fsyncs it, 30–40 ms on this project's machines, during which the
 * gateway answers nothing (docs/benchmarks.md). Here a worker thread with its own connection runs
 * a PASSIVE checkpoint every 100 ms instead; PASSIVE never waits for the writer and the writer
 * never waits for it, so the main thread's commits only append to the WAL.
 *
 * The WAL starts over from its beginning only when a commit finds it entirely checkpointed, which
 * a writer that never pauses may not allow. So the main connection keeps a `wal_autocheckpoint`
 * backstop (open-sqlite.ts): when the WAL reaches it, the commit checkpoints inline, but by then
 * the worker has copied nearly every frame, so that costs a few frames and the WAL starts over. If
 * the worker stopped, the backstop is an ordinary inline checkpoint, and the WAL stays bounded.
 * Checkpoints are crash-safe by SQLite's design, so a kill -9 during one loses nothing.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface WalCheckpointerOptions {
  /** The database file (not `:memory:`). */
  path: string;
  /** How often to checkpoint. */
  everyMs?: number;
  /** Told when a checkpoint fails (the next one is tried anyway). */
  onError?(message: string): void;
}

export interface CheckpointStats {
  /** Checkpoints run. */
  runs: number;
  /** WAL frames copied into the database file, in total. */
  framesCheckpointed: number;
  /** The WAL's size in frames after the last checkpoint (-1 before the first). */
  lastWalFrames: number;
}

export interface WalCheckpointer {
  stats(): CheckpointStats;
  /** Stops the worker after its current checkpoint. */
  stop(): Promise<void>;
}

export const DEFAULT_CHECKPOINT_EVERY_MS = 100;

// Plain CommonJS, evaluated in the worker: it runs the same way under node, tsx and vitest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
let running = true;
function checkpoint() {
  if (!running) return;
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ kind: 'checkpoint', log: row.log, checkpointed: row.checkpointed });
  } catch (error) {
    parentPort.postMessage({ kind: 'error', message: String(error && error.message || error) });
  }
  timer = setTimeout(checkpoint, workerData.everyMs);
}
let timer = setTimeout(checkpoint, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  running = false;
  clearTimeout(timer);
  db.close();
  parentPort.postMessage({ kind: 'stopped' });
});
`;

interface WorkerReport {
  kind: 'checkpoint' | 'error' | 'stopped';
  log?: number;
  checkpointed?: number;
  message?: string;
}

export function startWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, path: options.path, everyMs: options.everyMs ?? DEFAULT_CHECKPOINT_EVERY_MS },
  });
  // The worker must never keep the process alive on its own.
  worker.unref();
  const stats: CheckpointStats = { runs: 0, framesCheckpointed: 0, lastWalFrames: -1 };
  // A WAL is checkpointed from frame 0 again after it restarts; count only what is new.
  let checkpointedBefore = 0;
  let stopped: Promise<void> | undefined;
  let exited = false;
  worker.on('message', (report: WorkerReport) => {
    if (report.kind === 'checkpoint') {
      stats.runs++;
      const checkpointed = report.checkpointed ?? 0;
      stats.framesCheckpointed += checkpointed >= checkpointedBefore ? checkpointed - checkpointedBefore : checkpointed;
      checkpointedBefore = checkpointed;
      stats.lastWalFrames = report.log ?? -1;
    } else if (report.kind === 'error') options.onError?.(report.message ?? 'unknown error');
  });
  worker.on('error', (error) => options.onError?.(`the checkpoint worker stopped (${error.message}); commits checkpoint inline past the backstop`));
  worker.on('exit', () => {
    exited = true;
  });

  return {
    stats: () => ({ ...stats }),
    stop() {
      stopped ??= exited
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.on('message', (report: WorkerReport) => {
              if (report.kind === 'stopped') void worker.terminate();
            });
            worker.postMessage('stop');
          });
      return stopped;
    },
  };
}
