/**
 * @module sim/clevertap/cli
 * `wabridge sim clevertap serve|campaign`: run the callback receiver as a standalone process, or
 * play a CleverTap campaign against a gateway and print the answers and the resulting funnel.
 */
import { parseArgs } from 'node:util';
import { runCampaign, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, DEFAULT_WABA_NUMBER } from './campaign.js';
import { formatFunnel } from './format-funnel.js';
import { startClevertapSimulator } from './index.js';
import { PAYLOAD_SHAPES } from './payloads.js';
import type { CampaignAuth, CampaignResult, ClevertapSimulator, Funnel } from './types.js';

export const CLI_DEFAULTS = { port: 4020, host: '127.0.0.1', count: 1000, settleMs: 10_000, quietMs: 2000 } as const;

const USAGE = `Usage: wabridge sim clevertap <command> [options]

Commands:
  serve      run the CleverTap callback receiver (POST /dlr, POST /imo, control API /_sim/*)
    --port <n>              listen port (default ${CLI_DEFAULTS.port}; 0 = ephemeral)
    --host <addr>           listen address (default ${CLI_DEFAULTS.host})

  campaign   send a campaign to the gateway as CleverTap would, then print the funnel
    --endpoint <url>        the gateway's messaging endpoint (required)
    --token <t>             Authorization: Bearer <t>
    --basic <user:pass>     Basic authentication instead
    --header <k:v>          a custom auth header (repeatable) instead
    --count <n>             messages to send (default ${CLI_DEFAULTS.count})
    --concurrency <n>       requests in flight (default ${DEFAULT_CONCURRENCY}, like CleverTap)
    --campaign-id <id>      the msgId's campaign field (default: current epoch seconds)
    --timeout-ms <n>        CleverTap's per-request budget (default ${DEFAULT_TIMEOUT_MS})
    --waba-number <n>       the sending number (default ${DEFAULT_WABA_NUMBER})
    --mix <shape=w,...>     payload weights; shapes: ${PAYLOAD_SHAPES.join(', ')}
    --sim-url <url>         read the funnel from a running "serve" instead of a receiver started here
    --port <n>              port of the receiver started here (default ${CLI_DEFAULTS.port})
    --settle-ms <n>         how long to wait for callbacks after the last send (default ${CLI_DEFAULTS.settleMs})

  -h, --help                show this help
`;

export interface CliIo {
  out: (line: string) => void;
  /** Install SIGINT/SIGTERM handlers that close the receiver started by \`serve\` (default true). */
  handleSignals?: boolean;
}

export type CliOutcome =
  | { command: 'help' }
  | { command: 'serve'; simulator: ClevertapSimulator }
  | { command: 'campaign'; result: CampaignResult; funnel: Funnel };

export async function runClevertapSimulatorCli(
  argv: string[],
  io: CliIo = { out: (l) => process.stdout.write(l + '\n') },
): Promise<CliOutcome> {
  // `--help` may come first, before any command.
  const [command, ...rest] = argv[0] === '-h' || argv[0] === '--help' ? ['help', ...argv.slice(1)] : argv;
  const { values } = parseArgs({
    args: rest,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      endpoint: { type: 'string' },
      token: { type: 'string' },
      basic: { type: 'string' },
      header: { type: 'string', multiple: true },
      count: { type: 'string' },
      concurrency: { type: 'string' },
      'campaign-id': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'waba-number': { type: 'string' },
      mix: { type: 'string' },
      'sim-url': { type: 'string' },
      'settle-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || command === undefined || command === 'help') {
    io.out(USAGE);
    return { command: 'help' };
  }
  if (command === 'serve') return serve(values, io);
  if (command === 'campaign') return campaign(values, io);
  throw new Error(`unknown command "${command}"; use serve or campaign (--help for options)`);
}

type Values = Record<string, string | string[] | boolean | undefined>;

async function serve(values: Values, io: CliIo): Promise<CliOutcome> {
  const simulator = await startClevertapSimulator({
    host: str(values.host) ?? CLI_DEFAULTS.host,
    port: int(values.port, CLI_DEFAULTS.port, 'port'),
  });
  io.out(`CleverTap simulator listening on ${simulator.url}`);
  io.out(`  Delivery Report Callback URL:  ${simulator.deliveryReportUrl()}  (or ${simulator.deliveryReportUrl('<account>')})`);
  io.out(`  Inbound Message Callback URL:  ${simulator.inboundMessageUrl()}  (or ${simulator.inboundMessageUrl('<account>')})`);
  io.out(`  funnel:                        ${simulator.url}/_sim/funnel/<campaignId>?format=table`);
  if (io.handleSignals !== false) {
    const stop = () => void simulator.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  return { command: 'serve', simulator };
}

async function campaign(values: Values, io: CliIo): Promise<CliOutcome> {
  const endpoint = str(values.endpoint);
  if (!endpoint) throw new Error('--endpoint is required');
  const campaignId = str(values['campaign-id']) ?? String(Math.floor(Date.now() / 1000));
  const simUrl = str(values['sim-url'])?.replace(/\/+$/, '');
  const local = simUrl ? undefined : await startClevertapSimulator({ host: CLI_DEFAULTS.host, port: int(values.port, CLI_DEFAULTS.port, 'port') });
  try {
    if (local) io.out(`callback receiver on ${local.url}: DLR ${local.deliveryReportUrl()}  IMO ${local.inboundMessageUrl()}`);
    const count = int(values.count, CLI_DEFAULTS.count, 'count');
    io.out(`campaign ${campaignId}: ${count} messages to ${endpoint}`);
    const result = await runCampaign({
      endpoint,
      campaignId,
      count,
      concurrency: int(values.concurrency, DEFAULT_CONCURRENCY, 'concurrency'),
      timeoutMs: int(values['timeout-ms'], DEFAULT_TIMEOUT_MS, 'timeout-ms'),
      wabaNumber: str(values['waba-number']) ?? DEFAULT_WABA_NUMBER,
      ...(authFrom(values) ? { auth: authFrom(values)! } : {}),
      ...(str(values.mix) ? { payloadMix: parseMix(str(values.mix)!) } : {}),
      onProgress: (p) => io.out(`  ${p.done}/${p.total} answered: ${p.sent} sent, ${p.failed} failed, ${p.timeouts} timeouts (${p.elapsedMs} ms)`),
    });
    io.out(formatResult(result));
    const readFunnel = local ? async () => local.funnel(campaignId) : () => fetchFunnel(simUrl!, campaignId);
    const funnel = result.sent > 0 ? await settle(readFunnel, int(values['settle-ms'], CLI_DEFAULTS.settleMs, 'settle-ms')) : await readFunnel();
    io.out('');
    io.out(formatFunnel(funnel));
    return { command: 'campaign', result, funnel };
  } finally {
    await local?.close();
  }
}

export function formatResult(r: CampaignResult): string {
  const failed = Object.entries(r.failedByCode).map(([code, n]) => `${code}: ${n}`).join(', ') || 'none';
  return [
    `answered in ${r.durationMs} ms (p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms)`,
    `  sent (200 success):  ${r.sent}`,
    `  failed by code:      ${failed}`,
    `  timeouts:            ${r.timeouts}`,
    `  HTTP 429 / 5xx:      ${r.http429} / ${r.http5xx}`,
    `  other errors:        ${r.otherErrors}`,
  ].join('\n');
}

/** Polls until the funnel stops changing for a while (callbacks have drained) or time runs out. */
async function settle(read: () => Promise<Funnel>, settleMs: number): Promise<Funnel> {
  const deadline = Date.now() + settleMs;
  let last = await read();
  let stableSince = Date.now();
  while (Date.now() < deadline && Date.now() - stableSince < CLI_DEFAULTS.quietMs) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await read();
    if (JSON.stringify(now) !== JSON.stringify(last)) {
      last = now;
      stableSince = Date.now();
    }
  }
  return last;
}

async function fetchFunnel(simUrl: string, campaignId: string): Promise<Funnel> {
  const res = await fetch(`${simUrl}/_sim/funnel/${encodeURIComponent(campaignId)}`);
  if (!res.ok) throw new Error(`GET ${simUrl}/_sim/funnel/${campaignId} answered ${res.status}`);
  return (await res.json()) as Funnel;
}

function authFrom(values: Values): CampaignAuth | undefined {
  const token = str(values.token);
  if (token) return { kind: 'bearer', token };
  const basic = str(values.basic);
  if (basic) {
    const colon = basic.indexOf(':');
    if (colon < 0) throw new Error('--basic must be user:pass');
    return { kind: 'basic', username: basic.slice(0, colon), password: basic.slice(colon + 1) };
  }
  const headers = Array.isArray(values.header) ? values.header : [];
  if (headers.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const h of headers) {
    const colon = h.indexOf(':');
    if (colon <= 0) throw new Error(`--header must be name:value, got "${h}"`);
    out[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
  }
  return { kind: 'headers', headers: out };
}

function parseMix(raw: string): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const part of raw.split(',')) {
    const [shape, weight] = part.split('=');
    if (!shape) continue;
    mix[shape.trim()] = weight === undefined ? 1 : Number(weight);
  }
  return mix;
}

function str(v: Values[string]): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function int(raw: Values[string], fallback: number, name: string): number {
  if (typeof raw !== 'string') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}
