/**
 * @module cli/send-test
 * `wabridge send-test`: one message sent to a running gateway exactly as CleverTap's Generic
 * (Other) provider would send it (the shape of test/fixtures/clevertap/requests/), the request and
 * the answer printed, and with `--wait` the message followed until it is read or failed, through
 * the admin API's message search (`GET /v1/admin/messages?msgId=`).
 *
 * The endpoint wants the account's CleverTap credentials. On the gateway's machine they are read
 * where the gateway reads them: the configuration file, the sandbox's secrets beside the data,
 * or the store (accounts created through the admin API). Elsewhere, `--url` and `--token` say.
 */
import { request } from 'undici';
import { maskSecret } from '../accounts/mask.js';
import { SANDBOX_ACCOUNT_ID, SANDBOX_WABA_NUMBER } from '../compose/sandbox.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { ClevertapAuth } from '../domain/account.js';
import { normalizePhone } from '../domain/phone.js';
import { adminHeaders, sandboxSecrets } from './admin-client.js';
import { openStore } from './open-store.js';

export interface SendTestOptions {
  to: string;
  template?: string;
  param?: string[];
  text?: string;
  account?: string;
  url?: string;
  wabaNumber?: string;
  msgId?: string;
  token?: string;
  wait?: boolean;
  waitSeconds: number;
  json?: boolean;
}

interface Io {
  out(line: string): void;
  err(line: string): void;
}

const STDIO: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** An account as far as sending needs it. */
interface Sender {
  id: string;
  wabaNumber: string;
  auth: ClevertapAuth;
}

class UsageError extends Error {}

const POLL_EVERY_MS = 500;
const TERMINAL = new Set(['read', 'failed']);

export async function sendTestCommand(options: SendTestOptions, io: Io = STDIO): Promise<number> {
  let config: Config;
  let built: { sender: Sender; body: Record<string, unknown>; url: string };
  try {
    config = loadConfig();
    const sender = await findSender(config, options);
    const url = (options.url ?? localGatewayUrl(config)).replace(/\/+$/, '');
    built = { sender, url, body: messageBody(options, sender) };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`wabridge: ${error.message}`);
    return 2;
  }
  const { sender, body, url } = built;
  const endpoint = `${url}/v1/clevertap/${encodeURIComponent(sender.id)}/messages`;
  const headers = { 'content-type': 'application/json', ...authHeaders(sender.auth) };
  const result: Record<string, unknown> = { request: { method: 'POST', url: endpoint, headers: maskedHeaders(sender.auth), body } };
  if (!options.json) {
    io.out(`POST ${endpoint}`);
    for (const [name, value] of Object.entries(maskedHeaders(sender.auth))) io.out(`${name}: ${value}`);
    io.out('Content-Type: application/json');
    io.out('');
    io.out(JSON.stringify(body, null, 2));
    io.out('');
  }

  const started = performance.now();
  let answer: { status: number; text: string };
  try {
    const response = await request(endpoint, { method: 'POST', headers, body: JSON.stringify(body), headersTimeout: 30_000, bodyTimeout: 30_000 });
    answer = { status: response.statusCode, text: await response.body.text() };
  } catch (error) {
    return finish(io, options, result, 1, `no gateway answered at ${url} (${(error as Error).message}); start it with \`wabridge start\`, or give its address with --url`);
  }
  const elapsedMs = Math.round(performance.now() - started);
  const parsed = parseJson(answer.text);
  result['answer'] = { status: answer.status, elapsedMs, body: parsed ?? answer.text };
  if (!options.json) {
    io.out(`HTTP ${answer.status} (${elapsedMs} ms)`);
    io.out(answer.text);
  }
  const accepted = answer.status === 200 && (parsed as { status?: unknown } | undefined)?.status === 'success';
  if (!accepted) return finish(io, options, result, 1, 'the gateway did not accept the message');
  if (!options.wait) return finish(io, options, result, 0);

  const waited = await waitForOutcome(config, url, String(body['msgId']), sender.id, options.waitSeconds * 1000, options.json ? undefined : io);
  result['wait'] = waited;
  if (waited.kind === 'unsupported') return finish(io, options, result, 1, `cannot wait: ${waited.reason}`);
  if (waited.kind === 'timeout') return finish(io, options, result, 1, `the message was not read within ${options.waitSeconds} s (last state: ${waited.state ?? 'not found yet'})`);
  if (waited.state === 'failed') return finish(io, options, result, 1, `the message failed${waited.failure ? `: ${waited.failure}` : ''}`);
  return finish(io, options, result, 0);
}

function finish(io: Io, options: SendTestOptions, result: Record<string, unknown>, code: number, problem?: string): number {
  if (options.json) io.out(JSON.stringify({ ...result, ok: code === 0, ...(problem ? { message: problem } : {}) }, null, 2));
  else if (problem) io.err(`wabridge: ${problem}`);
  return code;
}

/** The gateway on this machine: its configured listen address, wildcard hosts read as loopback. */
export function localGatewayUrl(config: Config): string {
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
}

/**
 * The account to send from and its credentials: `--token` as given, else where the gateway
 * finds them (the file, the sandbox's demo account, the store). Without `--account`, the only
 * account there is.
 */
async function findSender(config: Config, options: SendTestOptions): Promise<Sender> {
  if (options.token) {
    const id = options.account ?? (config.accounts.length === 1 ? config.accounts[0]!.id : config.mode === 'sandbox' && config.accounts.length === 0 ? SANDBOX_ACCOUNT_ID : undefined);
    if (!id) throw new UsageError('--account is required with --token when the configuration has several accounts or none');
    const configured = config.accounts.find((account) => account.id === id);
    const wabaNumber = options.wabaNumber ?? configured?.wabaNumber ?? (id === SANDBOX_ACCOUNT_ID ? SANDBOX_WABA_NUMBER : undefined);
    if (!wabaNumber) throw new UsageError(`--waba-number is required: account "${id}" is not in this machine's configuration`);
    return { id, wabaNumber, auth: { kind: 'bearer', token: options.token } };
  }
  const known = await knownSenders(config, options.account);
  if (options.account) {
    const sender = known.find((candidate) => candidate.id === options.account);
    if (!sender) throw new UsageError(`no account "${options.account}" on this machine${known.length > 0 ? ` (there are: ${known.map((candidate) => candidate.id).join(', ')})` : ''}; give its CleverTap token with --token`);
    return sender;
  }
  if (known.length === 1) return known[0]!;
  if (known.length === 0) throw new UsageError('no account on this machine to send from; give --account and --token (and --url for a gateway elsewhere)');
  throw new UsageError(`several accounts, say which with --account: ${known.map((candidate) => candidate.id).join(', ')}`);
}

/** The accounts the gateway on this machine serves; the store is read only when `wanted` is not among the file's. */
async function knownSenders(config: Config, wanted: string | undefined): Promise<Sender[]> {
  const senders: Sender[] = config.accounts.map((account) => ({ id: account.id, wabaNumber: account.wabaNumber, auth: account.clevertap.auth as ClevertapAuth }));
  const secrets = sandboxSecrets(config);
  if (secrets && config.accounts.length === 0) senders.push({ id: SANDBOX_ACCOUNT_ID, wabaNumber: SANDBOX_WABA_NUMBER, auth: { kind: 'bearer', token: secrets.clevertapToken } });
  if (wanted !== undefined && senders.some((sender) => sender.id === wanted)) return senders;
  const store = await openStore(config);
  try {
    for (const record of await store.storage.accounts.list()) {
      // The file's accounts win over stored ones with the same id, as in the gateway.
      if (record.deletedAt !== undefined || senders.some((sender) => sender.id === record.id)) continue;
      const clevertap = record.document['clevertap'] as { auth: ClevertapAuth };
      senders.push({ id: record.id, wabaNumber: record.wabaNumber, auth: clevertap.auth });
    }
  } finally {
    await store.close();
  }
  return senders;
}

/** CleverTap's request: a template (`name:language`, body parameters in order) or a free-form text. */
export function messageBody(options: Pick<SendTestOptions, 'to' | 'template' | 'param' | 'text' | 'wabaNumber' | 'msgId'>, sender: Pick<Sender, 'wabaNumber'>): Record<string, unknown> {
  if (options.template === undefined && options.text === undefined) throw new UsageError('say what to send: --template <name:lang> [--param <value>...], or --text <text>');
  if (options.template !== undefined && options.text !== undefined) throw new UsageError('--template and --text cannot be used together');
  if (options.text !== undefined && options.param?.length) throw new UsageError('--param fills a template; it cannot be used with --text');
  if (normalizePhone(options.to) === undefined) throw new UsageError(`--to must be a phone number with its country code, got "${options.to}"`);
  const target = { payloadVersion: 0.1, to: options.to, wabaNumber: options.wabaNumber ?? sender.wabaNumber, msgId: options.msgId ?? testMsgId() };
  if (options.text !== undefined) return { ...target, isTemplate: false, type: 'text', text: { body: options.text } };
  const colon = options.template!.lastIndexOf(':');
  const name = colon > 0 ? options.template!.slice(0, colon) : '';
  const language = colon > 0 ? options.template!.slice(colon + 1) : '';
  if (!name || !language) throw new UsageError(`--template must be name:language, e.g. order_ready:en_GB, got "${options.template}"`);
  const parameters = (options.param ?? []).map((text) => ({ type: 'text', text }));
  return {
    ...target,
    isTemplate: true,
    template: { namespace: name, languageCode: language },
    components: parameters.length > 0 ? [{ type: 'body', body: { parameters } }] : [],
  };
}

/** A CleverTap-style msgId whose campaign field says where it came from: `cli|<epoch ms>|<yyyymmdd>|1`. */
function testMsgId(now = new Date()): string {
  return `cli|${now.getTime()}|${now.toISOString().slice(0, 10).replace(/-/g, '')}|1`;
}

function authHeaders(auth: ClevertapAuth): Record<string, string> {
  switch (auth.kind) {
    case 'bearer':
      return { authorization: /^bearer\s/i.test(auth.token) ? auth.token : `Bearer ${auth.token}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
    case 'headers':
      return { ...auth.headers };
  }
}

/** The auth headers as printed: secrets masked, so a terminal log never holds one. */
function maskedHeaders(auth: ClevertapAuth): Record<string, string> {
  switch (auth.kind) {
    case 'bearer':
      return { Authorization: `Bearer ${maskSecret(auth.token.replace(/^bearer\s+/i, ''))}` };
    case 'basic':
      return { Authorization: `Basic (${auth.username}:${maskSecret(auth.password)})` };
    case 'headers':
      return Object.fromEntries(Object.entries(auth.headers).map(([name, value]) => [name, maskSecret(value)]));
  }
}

type WaitOutcome =
  | { kind: 'final'; state: string; failure?: string; states: string[] }
  | { kind: 'timeout'; state?: string; states: string[] }
  | { kind: 'unsupported'; reason: string };

interface MessageSummary {
  msgId: string;
  accountId?: string;
  state: string;
  failure?: { title?: string; metaCode?: number; reason?: string };
}

/** Polls the admin API's message search until the message is read or failed, printing each new state. */
async function waitForOutcome(config: Config, url: string, msgId: string, accountId: string, waitMs: number, io: Io | undefined): Promise<WaitOutcome> {
  const headers = adminHeaders(config);
  const deadline = Date.now() + waitMs;
  const states: string[] = [];
  for (;;) {
    let status: number;
    let body: unknown;
    try {
      const response = await request(`${url}/v1/admin/messages?msgId=${encodeURIComponent(msgId)}&account=${encodeURIComponent(accountId)}`, { headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
      status = response.statusCode;
      body = parseJson(await response.body.text());
    } catch (error) {
      return { kind: 'unsupported', reason: `the admin API did not answer (${(error as Error).message})` };
    }
    const data = (body as { data?: unknown } | undefined)?.data;
    if (status === 401 || status === 403) {
      return { kind: 'unsupported', reason: `the admin API refused (HTTP ${status}): ${(body as { message?: string } | undefined)?.message ?? ''} (set admin.token or ADMIN_TOKEN as the gateway has it)` };
    }
    if (!Array.isArray(data)) {
      return { kind: 'unsupported', reason: `this gateway has no message search (GET /v1/admin/messages answered HTTP ${status}); follow the message in the console's Messages page instead` };
    }
    const found = (data as MessageSummary[]).find((message) => message.msgId === msgId && (message.accountId === undefined || message.accountId === accountId));
    if (found && states.at(-1) !== found.state) {
      states.push(found.state);
      io?.out(`state: ${found.state}`);
    }
    if (found && TERMINAL.has(found.state)) {
      const failure = found.failure ? [found.failure.metaCode, found.failure.title].filter((part) => part !== undefined).join(' ') : undefined;
      return failure ? { kind: 'final', state: found.state, failure, states } : { kind: 'final', state: found.state, states };
    }
    if (Date.now() >= deadline) return found ? { kind: 'timeout', state: found.state, states } : { kind: 'timeout', states };
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
