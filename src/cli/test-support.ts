/**
 * @module cli/test-support
 * The `wabridge` command as scripts run it, for the CLI's own tests: a real child process
 * (`node --import tsx src/cli/main.ts ...`) whose exit code and output are what is checked. The
 * environment is the test's, minus what would point the command at a developer's own gateway.
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../../test/support/process.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr, for checks that do not care where a line went. */
  output: string;
}

/** Variables a developer's shell may set that would make the command read another configuration. */
const INHERITED_CONFIG = ['WABRIDGE_CONFIG', 'DATA_DIR', 'STORE_PATH', 'PORT', 'HOST', 'PUBLIC_BASE_URL', 'ADMIN_TOKEN', 'WABRIDGE_MODE', 'DATABASE_URL', 'REDIS_URL'];

export async function runCli(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !INHERITED_CONFIG.includes(name)));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...base, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = (await new Promise((resolve) => child.once('close', (...result) => resolve(result)))) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  if (signal === 'SIGKILL') throw new Error(`wabridge ${args.join(' ')} was still running after ${timeoutMs} ms:\n${stdout}${stderr}`);
  return { code, stdout, stderr, output: stdout + stderr };
}
