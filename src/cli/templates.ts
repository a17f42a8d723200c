/**
 * @module cli/templates
 * `wabridge templates sync` and `wabridge templates status`. They ask the running gateway (its
 * admin API on loopback, with the token it wants), so its in-memory catalogue changes at once. When no gateway answers,
 * `sync` reads Graph and writes the store itself; the gateway loads that copy when it starts.
 */
import { request } from 'undici';
import pino from 'pino';
import { createAccountDirectory } from '../compose/accounts.js';
import { createTemplateCatalog } from '../compose/templates.js';
import { resolveAccounts } from '../config/accounts.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { SyncResult } from '../pipeline/template-catalog.js';
import { GraphClient } from '../whatsapp/graph-client.js';
import { adminHeaders, localGatewayUrl } from './admin-client.js';
import { openStore } from './open-store.js';

type Out = (line: string) => void;
const stdout: Out = (line) => process.stdout.write(`${line}\n`);

export async function syncTemplatesCommand(options: { account?: string; json?: boolean }, out: Out = stdout): Promise<number> {
  const config = loadConfig();
  const query = options.account ? `?account=${encodeURIComponent(options.account)}` : '';
  const answer = await askGateway(config, 'POST', `/v1/admin/templates/sync${query}`);
  let results: SyncResult[];
  if (answer === undefined) {
    out('no gateway answers on this machine; syncing into the data directory directly');
    results = await syncDirectly(config, options.account);
  } else {
    const body = answer.json as { results?: SyncResult[]; message?: string };
    if (!Array.isArray(body.results)) {
      out(`the gateway refused (HTTP ${answer.status}): ${body.message ?? JSON.stringify(body)}`);
      return 1;
    }
    results = body.results;
  }
  if (options.json) out(JSON.stringify(results, null, 2));
  else for (const result of results) out(describe(result));
  return results.every((result) => result.ok) ? 0 : 1;
}

export async function templateStatusCommand(options: { json?: boolean }, out: Out = stdout): Promise<number> {
  const config = loadConfig();
  const answer = await askGateway(config, 'GET', '/v1/admin/templates');
  if (answer === undefined) {
    out('no gateway answers on this machine; start it with `npm start` (status is kept by the running gateway)');
    return 1;
  }
  const rows = answer.json as Array<{ accountId: string; templateCount: number; lastSuccessAt?: number; lastError?: string; syncing: boolean; rateLimitedUntil?: number }>;
  if (options.json) out(JSON.stringify(rows, null, 2));
  else {
    for (const row of rows) {
      const last = row.lastSuccessAt ? `last synced ${new Date(row.lastSuccessAt).toISOString()}` : 'never synced';
      const problem = row.lastError ? `; last attempt failed: ${row.lastError}` : '';
      const limited = row.rateLimitedUntil ? `; rate-limited until ${new Date(row.rateLimitedUntil).toISOString()}` : '';
      out(`${row.accountId}: ${row.templateCount} templates, ${last}${row.syncing ? ' (syncing now)' : ''}${problem}${limited}`);
    }
  }
  return 0;
}

function describe(result: SyncResult): string {
  if (!result.ok) return `${result.accountId}: sync failed: ${result.error}`;
  const skipped = result.skipped.length > 0 ? `, ${result.skipped.length} unreadable skipped` : '';
  return `${result.accountId}: ${result.templates} templates synced (${result.approved} approved${skipped})`;
}

/** The running gateway's answer, or undefined when nothing listens on its port. */
async function askGateway(config: Config, method: 'GET' | 'POST', pathname: string): Promise<{ status: number; json: unknown } | undefined> {
  try {
    const response = await request(`${localGatewayUrl(config)}${pathname}`, { method, headersTimeout: 120_000, bodyTimeout: 120_000, headers: adminHeaders(config) });
    const text = await response.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = { message: text.slice(0, 200) };
    }
    return { status: response.statusCode, json };
  } catch (error) {
    if ((error as { code?: string }).code === 'ECONNREFUSED') return undefined;
    throw error;
  }
}

async function syncDirectly(config: Config, accountId: string | undefined): Promise<SyncResult[]> {
  const configured = config.accounts.filter((account) => accountId === undefined || account.id === accountId);
  if (configured.length === 0) {
    const which = accountId ? `no account "${accountId}" is configured` : 'no account is configured';
    return [{ ok: false, accountId: accountId ?? '-', error: `${which} (the sandbox account's simulator lives inside the running gateway)` }];
  }
  const accounts = createAccountDirectory(resolveAccounts({ ...config, accounts: configured }));
  const logger = pino({ level: 'silent' });
  const store = await openStore(config, logger);
  // Two connections each: a listing reads one page at a time.
  const clients = new Map(accounts.all.map((account) => [account.id, new GraphClient({ graphBaseUrl: account.whatsapp.graphBaseUrl, accessToken: account.whatsapp.accessToken, connections: 2 })]));
  const catalog = createTemplateCatalog({ accounts, graph: (id) => clients.get(id)!, store: store.storage.templates, syncEveryMs: config.templates.syncEveryMs, logger });
  try {
    return await catalog.syncAll();
  } finally {
    await catalog.close();
    await Promise.all([...clients.values()].map((client) => client.close()));
    await store.close();
  }
}
