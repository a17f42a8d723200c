/**
 * Child processes for the bench: the servers under test and the load generators.
 *
 * Every child runs in its own process group (detached) so that stopping it also stops anything it
 * started (npx, tsx, workers), and every child is registered so that Ctrl-C or a crash of the
 * orchestrator leaves no orphan listening on a port or burning a core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Servers under test share core 0; the load generator gets core 1 to itself. */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

const running = new Set<ChildProcess>();

/** Kills every registered child's process group. Synchronous so it also works from 'exit'. */
export function killAllChildren(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const child of running) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    }
  }
}

let cleanupInstalled = false;
export function installCleanupHandlers(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => killAllChildren('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping child processes\n`);
      killAllChildren('SIGTERM');
      process.exit(130);
    });
  }
}

export function commandExists(command: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * `taskset -c <cpu>` when pinning is possible. Pinning the server to core 0 and the load generator
 * to core 1 keeps them from stealing each other's CPU, which is what makes two runs comparable.
 */
export function cpuPinning(cpu: number): string[] {
  if (!commandExists('taskset') || availableParallelism() < 2) return [];
  return ['taskset', '-c', String(cpu)];
}

/**
 * Wraps a command so it runs with a high open-files limit: 1,500 connections plus the server's
 * own files exceed the common default of 1,024. Falls back to the hard limit when 65,535 is refused.
 */
function withRaisedFileLimit(argv: string[]): string[] {
  return ['bash', '-c', 'ulimit -n 65535 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"', 'bash', ...argv];
}

export interface Service {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Last ~64 KB of stderr, shown when the service dies or fails its health check. */
  stderrTail(): string;
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  name: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Both stdout and stderr are copied here, for post-mortems. */
  logFile: string;
}

const STDERR_TAIL_BYTES = 64 * 1024;

export function startService(options: ServiceOptions): Service {
  const [command, ...args] = withRaisedFileLimit(options.argv);
  const child = spawn(command!, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const log = createWriteStream(options.logFile);
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL_BYTES);
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    stdout = (stdout + chunk.toString()).slice(-STDERR_TAIL_BYTES);
  });

  const service: Service = {
    name: options.name,
    child,
    pid: child.pid!,
    stderrTail: () => stderr,
    async waitForStdout(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = stdout.match(pattern);
        if (match) return match;
        if (hasExited(child)) throw new ServiceDiedError(service);
        if (Date.now() > deadline) throw new Error(`${options.name}: no ${pattern} on stdout within ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    async stop() {
      if (hasExited(child)) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      signalGroup(child, 'SIGTERM');
      const forced = setTimeout(() => signalGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(forced);
      log.end();
    },
  };
  return service;
}

export class ServiceDiedError extends Error {
  constructor(service: Service) {
    const { exitCode, signalCode } = service.child;
    super(`${service.name} exited (code ${exitCode}, signal ${signalCode}). Its stderr:\n${service.stderrTail()}`);
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

/** Polls `url` until it answers 200; fails early with the service's stderr if it dies. */
export async function waitForHttpOk(service: Service, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (hasExited(service.child)) throw new ServiceDiedError(service);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${service.name}: ${url} not 200 within ${timeoutMs} ms (${lastProblem}). Its stderr:\n${service.stderrTail()}`);
}

export interface CompletedCommand {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a short-lived command (a load generator) to completion, in its own process group. */
export function runToCompletion(argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CompletedCommand> {
  const [command, ...args] = withRaisedFileLimit(argv);
  const child = spawn(command!, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => {
      running.delete(child);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** CPU time (user + system, all threads) a process has used so far, in seconds. */
function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux.
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has spent busy (all cores, everything but idle and iowait). */
function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return (user + nice + system + irq + softirq + steal) / 100;
}

export interface QuietResult {
  waitedMs: number;
  quiet: boolean;
  /** Cores' worth of CPU used by processes other than `pids` during the last window (other work on a shared machine). */
  otherBusyCores: number;
}

/**
 * Waits until none of `pids` uses more than `maxBusyShare` of a core, up to `maxWaitMs`.
 *
 * Both servers share core 0. After a gateway round its dispatcher may still be sending the
 * accepted backlog to the simulator; a baseline round started then would be measured on a core
 * the gateway is still using. Also reports how busy the rest of the machine is: other processes
 * (a test run, a compiler) on a 2-core box distort the numbers more than anything the bench does.
 */
export async function waitForCpuQuiet(pids: number[], maxWaitMs: number, maxBusyShare = 0.1): Promise<QuietResult> {
  const started = Date.now();
  const windowMs = 500;
  for (;;) {
    const before = pids.map(cpuSeconds);
    const machineBefore = machineBusySeconds();
    await sleep(windowMs);
    const after = pids.map(cpuSeconds);
    const machineAfter = machineBusySeconds();
    const deltas = after.map((value, i) => Math.max(0, (value ?? 0) - (before[i] ?? 0)));
    const busiest = Math.max(0, ...deltas);
    const seconds = windowMs / 1000;
    const otherBusyCores = Math.max(0, machineAfter - machineBefore - deltas.reduce((a, b) => a + b, 0)) / seconds;
    const waitedMs = Date.now() - started;
    if (busiest / seconds <= maxBusyShare) return { waitedMs, quiet: true, otherBusyCores };
    if (waitedMs >= maxWaitMs) return { waitedMs, quiet: false, otherBusyCores };
  }
}
