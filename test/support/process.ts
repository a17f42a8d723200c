/**
 * Real gateway processes for crash and fault tests: spawned with a config file, waited on until ready,
 * killed with SIGKILL like a machine losing power to its process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface GatewayProcess {
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function writeConfig(file: string, config: unknown): string {
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** `wabridge start` as a child process with `configFile`, its stdout and stderr collected together. */
function startProcess(configFile: string, env: Record<string, string>): { child: ChildProcess; output(): string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
    cwd: REPO_ROOT,
    env: { ...process.env, WABRIDGE_CONFIG: configFile, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

export async function spawnGateway(configFile: string, url: string, env: Record<string, string> = {}): Promise<GatewayProcess> {
  const { child, output: collected } = startProcess(configFile, env);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: GatewayProcess = {
    child,
    output: collected,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${collected()}`);
    try {
      const response = await request(`${url}/readyz`);
      await response.body.dump();
      if (response.statusCode === 200) return handle;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await handle.kill();
  throw new Error(`gateway did not become ready in 30 s:\n${collected()}`);
}

export interface ExitedProcess {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Starts a gateway that is expected to refuse to start, and waits for it to exit (killing it and
 * failing after `timeoutMs` if it starts instead).
 */
export async function runGatewayUntilExit(configFile: string, env: Record<string, string> = {}, timeoutMs = 30_000): Promise<ExitedProcess> {
  const { child, output } = startProcess(configFile, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = (await new Promise((resolve) => child.once('exit', (...args) => resolve(args)))) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  if (signal === 'SIGKILL') throw new Error(`gateway was still running after ${timeoutMs} ms:\n${output()}`);
  return { code, signal, output: output() };
}

/** The resident set size of a live process, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}
