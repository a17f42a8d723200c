/**
 * @module cli/demo
 * `wabridge demo`: the whole loop on one machine in one process, to see wabridge work before
 * configuring anything. A sandbox gateway (built-in Meta simulator) is started with the CleverTap
 * simulator's receiver as its account's Delivery Report and Inbound Message Callback URLs; the
 * CleverTap simulator's campaign driver sends a small campaign to the gateway's CleverTap endpoint
 * as CleverTap would; the funnel CleverTap's side ends up counting (accepted → sent → delivered →
 * read, failures by code) is printed with the console's URL. Then it keeps running for the
 * console until Ctrl-C, or with `--exit` ends: 0 when every message was read, 1 otherwise.
 *
 * The data lives in a temporary directory removed on exit, unless `--data-dir` names one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLEVERTAP_DLR_CODES } from '../clevertap/dlr-codes.js';
import { createLogger } from '../compose/logger.js';
import { loadSandboxSecrets, SANDBOX_ACCOUNT_ID, SANDBOX_WABA_NUMBER } from '../compose/sandbox.js';
import { loadConfig } from '../config/load.js';
import { startGateway, type Gateway } from '../gateway.js';
import { runCampaign, startClevertapSimulator, type CampaignResult, type ClevertapSimulator, type Funnel } from '../sim/clevertap/index.js';
import { createProgress, type ProgressStream } from './progress.js';

export interface DemoOptions {
  messages: number;
  concurrency: number;
  dataDir?: string;
  /** Default: any free port. */
  port?: number;
  waitSeconds: number;
  exit?: boolean;
  json?: boolean;
}

export interface DemoOutcome {
  gateway: string;
  console: string;
  dataDir: string;
  campaign: {
    id: string;
    messages: number;
    accepted: number;
    refusedByCode: Record<string, number>;
    timeouts: number;
    otherErrors: number;
    latencyMs: { p50: number; p99: number; max: number };
  };
  funnel: Funnel;
  /** Every message of the campaign was read. */
  complete: boolean;
}

/**
 * The demo gives each answer more than CleverTap's 1 s: on a laptop busy starting everything, a
 * slow first answer would otherwise drop a message from the funnel and make the demo look broken.
 */
const ANSWER_TIMEOUT_MS = 5000;
const DLR_TITLES = new Map(Object.values(CLEVERTAP_DLR_CODES).map((entry) => [String(entry.code), entry.title]));

export async function demoCommand(options: DemoOptions): Promise<number> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : mkdtempSync(path.join(tmpdir(), 'wabridge-demo-'));
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // With --json, stdout carries the one JSON document; the progress goes to stderr.
  const progressStream: ProgressStream = options.json ? process.stderr : process.stdout;
  const say = options.json ? (line: string) => process.stderr.write(`${line}\n`) : out;

  let clevertap: ClevertapSimulator | undefined;
  let gateway: Gateway | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await gateway?.close();
    await clevertap?.close();
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };
  // Ctrl-C before the funnel is complete: stop what runs and report the demo unfinished.
  let interrupted: (() => void) | undefined;
  const interruption = new Promise<void>((resolve) => (interrupted = resolve));
  const onSignal = () => interrupted?.();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    clevertap = await startClevertapSimulator();
    const secrets = loadSandboxSecrets(dataDir);
    const config = loadConfig({
      env: {},
      raw: {
        mode: 'sandbox',
        server: { host: '127.0.0.1', port: options.port ?? 0 },
        store: { path: path.join(dataDir, 'wabridge.db') },
        log: { level: 'error' },
        accounts: [
          {
            id: SANDBOX_ACCOUNT_ID,
            wabaNumber: SANDBOX_WABA_NUMBER,
            clevertap: {
              auth: { kind: 'bearer', token: secrets.clevertapToken },
              deliveryReportUrl: clevertap.deliveryReportUrl(SANDBOX_ACCOUNT_ID),
              inboundMessageUrl: clevertap.inboundMessageUrl(SANDBOX_ACCOUNT_ID),
              allowPrivateCallbackTargets: true,
            },
          },
        ],
      },
    });
    gateway = await startGateway(config, { logger: createLogger(config) });
    const consoleUrl = consoleLink(gateway, config.admin.token);
    say(`wabridge demo: a sandbox gateway on ${gateway.url} (data in ${dataDir}${temporary ? ', removed on exit' : ''})`);
    if (gateway.simulator) say(`  Meta simulator:       ${gateway.simulator.url}`);
    say(`  CleverTap simulator:  ${clevertap.url} (Delivery Report Callback URL ${clevertap.deliveryReportUrl(SANDBOX_ACCOUNT_ID)})`);

    const endpoint = `${gateway.url}/v1/clevertap/${SANDBOX_ACCOUNT_ID}/messages`;
    const campaignId = String(Math.floor(Date.now() / 1000));
    say(`campaign ${campaignId}: ${options.messages} messages to ${endpoint}`);
    const sending = createProgress({ label: 'sending', total: options.messages, stream: progressStream });
    const campaign = runCampaign({
      endpoint,
      auth: { kind: 'bearer', token: secrets.clevertapToken },
      campaignId,
      count: options.messages,
      concurrency: options.concurrency,
      timeoutMs: ANSWER_TIMEOUT_MS,
      wabaNumber: SANDBOX_WABA_NUMBER,
      progressEveryMs: 100,
      onProgress: (progress) => sending.update(progress.done, `${progress.sent} accepted`),
    });
    const result = await Promise.race([campaign, interruption.then(() => undefined)]);
    if (!result) return await interruptedExit(stop, say);
    sending.finish(options.messages, `${result.sent} accepted`);

    const funnel = await waitForReports(clevertap, campaignId, result.sent, options.waitSeconds * 1000, progressStream, interruption);
    if (!funnel) return await interruptedExit(stop, say);

    const outcome = demoOutcome(gateway, consoleUrl, dataDir, options.messages, result, funnel);
    if (options.json) out(JSON.stringify(outcome, null, 2));
    else for (const line of describeOutcome(outcome)) out(line);

    if (options.exit) {
      await stop();
      return outcome.complete ? 0 : 1;
    }
    say('');
    say('The gateway keeps running for the console and the admin API; Ctrl-C stops it.');
    await interruption;
    await stop();
    return 0;
  } catch (error) {
    await stop();
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function interruptedExit(stop: () => Promise<void>, say: (line: string) => void): Promise<number> {
  say('\ninterrupted before the campaign finished');
  await stop();
  return 1;
}

/** The console with the admin token in its fragment (never sent to a server, read once by the page). */
function consoleLink(gateway: Gateway, configuredToken: string | undefined): string {
  const token = configuredToken ?? gateway.sandboxSecrets?.adminToken;
  return token ? `${gateway.url}/#token=${encodeURIComponent(token)}` : `${gateway.url}/`;
}

/**
 * Polls CleverTap's funnel until every accepted message is read or failed (nothing more can
 * change it), or `waitMs` passes; undefined when interrupted.
 */
async function waitForReports(
  clevertap: ClevertapSimulator,
  campaignId: string,
  accepted: number,
  waitMs: number,
  stream: ProgressStream,
  interruption: Promise<void>,
): Promise<Funnel | undefined> {
  const reports = createProgress({ label: 'reports', total: accepted, stream });
  const deadline = Date.now() + waitMs;
  let interrupted = false;
  void interruption.then(() => (interrupted = true));
  const settled = (funnel: Funnel) => funnel.read + funnel.failed.total;
  const detail = (funnel: Funnel) => `sent ${funnel.sent}, delivered ${funnel.delivered}, read ${funnel.read}, failed ${funnel.failed.total}`;
  let funnel = clevertap.funnel(campaignId);
  while (settled(funnel) < accepted && Date.now() < deadline && !interrupted) {
    reports.update(settled(funnel), detail(funnel));
    await new Promise((resolve) => setTimeout(resolve, 100));
    funnel = clevertap.funnel(campaignId);
  }
  if (interrupted) return undefined;
  reports.finish(settled(funnel), detail(funnel));
  return funnel;
}

function demoOutcome(gateway: Gateway, consoleUrl: string, dataDir: string, messages: number, result: CampaignResult, funnel: Funnel): DemoOutcome {
  return {
    gateway: gateway.url,
    console: consoleUrl,
    dataDir,
    campaign: {
      id: result.campaignId,
      messages,
      accepted: result.sent,
      refusedByCode: result.failedByCode,
      timeouts: result.timeouts,
      otherErrors: result.otherErrors + result.http429 + result.http5xx,
      latencyMs: result.latencyMs,
    },
    funnel,
    complete: funnel.read === messages,
  };
}

/** The funnel as CleverTap's campaign stats would show it, then where to look next. */
export function describeOutcome(outcome: DemoOutcome): string[] {
  const { campaign, funnel } = outcome;
  const share = (n: number) => (campaign.messages > 0 ? `${((100 * n) / campaign.messages).toFixed(1).padStart(5)}%` : '');
  const width = String(campaign.messages).length;
  const row = (label: string, n: number) => `  ${label.padEnd(10)} ${String(n).padStart(width)}  ${share(n)}`;
  const lines = [
    '',
    `CleverTap's funnel for campaign ${campaign.id} (${campaign.messages} messages)`,
    row('accepted', campaign.accepted),
    row('sent', funnel.sent),
    row('delivered', funnel.delivered),
    row('read', funnel.read),
    row('failed', funnel.failed.total),
  ];
  for (const [code, n] of Object.entries(funnel.failed.byCode).sort()) lines.push(`    ${code} ${DLR_TITLES.get(code) ?? ''}: ${n}`);
  const refused = Object.entries(campaign.refusedByCode);
  if (refused.length > 0) lines.push(`  refused when sent: ${refused.map(([code, n]) => `${code} ${DLR_TITLES.get(code) ?? ''}: ${n}`).join(', ')}`);
  if (campaign.timeouts + campaign.otherErrors > 0) lines.push(`  not answered in time: ${campaign.timeouts}; other errors: ${campaign.otherErrors}`);
  lines.push(`  answers: p50 ${campaign.latencyMs.p50} ms, p99 ${campaign.latencyMs.p99} ms`);
  lines.push('', `Console: ${outcome.console}`);
  return lines;
}
