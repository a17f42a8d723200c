/**
 * The processes the overload and soak benches run against, started the way bench/ingest.ts starts
 * them: the gateway as `npm start` runs it (its own process, pinned to the server core), the Meta
 * Cloud API simulator in its own process on the load core with a high `--mps` and
 * `--no-pair-limit` so it never holds the gateway's sends back, and the bare node:http server as the
 * ceiling. Kept apart from ingest.ts so those benches share one way of starting a gateway without
 * touching the bench of record.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuPinning, findFreePort, LOAD_CPU, SERVER_CPU, startService, waitForHttpOk, type Service } from './processes.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const ACCOUNT_ID = 'bench';
export const BEARER_TOKEN = 'bench-token';
export const AUTHORIZATION = `Bearer ${BEARER_TOKEN}`;
/** As `npm start` runs the gateway (package.json). */
const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=64'];
const SIM = { accessToken: 'bench-graph-token', appSecret: 'bench-app-secret', phoneNumberId: '100000000000779', wabaId: '200000000000779' };

export interface BenchGateway {
  gateway: Service;
  simulator: Service;
  port: number;
  baseUrl: string;
  messagesPath: string;
  simulatorUrl: string;
  /** The simulated number's phone number id (for the simulator's control API). */
  phoneNumberId: string;
  stop(): Promise<void>;
}

export interface BenchGatewayOptions {
  runDir: string;
  wabaNumber: string;
  /** The account's messages per second (what the dispatcher sends to the simulator). */
  messagesPerSecond: number;
  /** Merged into the config's `server` block. */
  server?: Record<string, unknown>;
}

export async function startBenchGateway(options: BenchGatewayOptions): Promise<BenchGateway> {
  const port = await findFreePort();
  const simPort = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const simulator = startService({
    name: 'meta-simulator',
    argv: [
      ...cpuPinning(LOAD_CPU),
      process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'sim', 'meta',
      '--port', String(simPort), '--access-token', SIM.accessToken, '--app-secret', SIM.appSecret,
      '--phone-number-id', SIM.phoneNumberId, '--waba-id', SIM.wabaId, '--display-phone-number', options.wabaNumber,
      '--webhook-url', `${baseUrl}/v1/whatsapp/webhook`, '--mps', String(Math.max(10_000, options.messagesPerSecond * 10)), '--no-pair-limit',
    ],
    cwd: REPO_ROOT,
    logFile: join(options.runDir, 'meta-simulator.log'),
  });
  await simulator.waitForStdout(/listening on http/, 30_000);
  const simulatorUrl = `http://127.0.0.1:${simPort}`;
  const config = {
    mode: 'sandbox',
    server: { port, host: '127.0.0.1', ...options.server },
    store: { path: join(options.runDir, 'wabridge.db') },
    accounts: [
      {
        id: ACCOUNT_ID,
        wabaNumber: options.wabaNumber,
        clevertap: { auth: { kind: 'bearer', token: BEARER_TOKEN } },
        whatsapp: {
          graphBaseUrl: `${simulatorUrl}/v23.0`,
          phoneNumberId: SIM.phoneNumberId,
          wabaId: SIM.wabaId,
          accessToken: SIM.accessToken,
          appSecret: SIM.appSecret,
          webhookVerifyToken: 'bench-verify',
          messagesPerSecond: options.messagesPerSecond,
        },
      },
    ],
  };
  const configPath = join(options.runDir, 'wabridge.json');
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const gateway = startService({
    name: 'gateway',
    argv: [...cpuPinning(SERVER_CPU), process.execPath, ...GATEWAY_NODE_FLAGS, '--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'start'],
    cwd: REPO_ROOT,
    env: { WABRIDGE_CONFIG: configPath, LOG_LEVEL: 'warn' },
    logFile: join(options.runDir, 'gateway.log'),
  });
  try {
    await waitForHttpOk(gateway, `${baseUrl}/healthz`, 30_000);
  } catch (error) {
    await simulator.stop();
    throw error;
  }
  return {
    gateway,
    simulator,
    port,
    baseUrl,
    messagesPath: `/v1/clevertap/${ACCOUNT_ID}/messages`,
    simulatorUrl,
    phoneNumberId: SIM.phoneNumberId,
    async stop() {
      await Promise.all([gateway.stop(), simulator.stop()]);
    },
  };
}

export async function startBareServer(runDir: string): Promise<{ service: Service; port: number }> {
  const port = await findFreePort();
  const service = startService({
    name: 'bare-server',
    argv: [...cpuPinning(SERVER_CPU), process.execPath, '--import', 'tsx', join(REPO_ROOT, 'bench/bare-server.ts'), String(port)],
    cwd: REPO_ROOT,
    logFile: join(runDir, 'bare-server.log'),
  });
  await service.waitForStdout(/listening \d+/, 15_000);
  return { service, port };
}

/** Resident set size of a process in bytes (VmRSS in /proc/<pid>/status), or undefined once it is gone. */
export function residentBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Cores' worth of CPU the whole machine spent busy over `windowMs` (a note on how shared the machine was). */
export async function machineBusyCores(windowMs = 1000): Promise<number> {
  const busy = () => {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
    return (user + nice + system + irq + softirq + steal) / 100;
  };
  const before = busy();
  await new Promise((resolveWait) => setTimeout(resolveWait, windowMs));
  return (busy() - before) / (windowMs / 1000);
}

/** CPU seconds (user + system) a process has used so far. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The simulator's count of send requests it accepted so far. */
export async function simulatorAccepted(simulatorUrl: string): Promise<number | undefined> {
  try {
    const stats = (await (await fetch(`${simulatorUrl}/_sim/stats`, { signal: AbortSignal.timeout(5_000) })).json()) as { accepted?: number };
    return typeof stats.accepted === 'number' ? stats.accepted : undefined;
  } catch {
    return undefined;
  }
}
