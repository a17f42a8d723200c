/**
 * @module cli/accounts
 * `wabridge accounts list|add|verify|remove`: the admin API's account management from a shell,
 * through the store directly (cli/open-store.ts), so it works whether or not a gateway runs. The
 * work is the admin service's (accounts/account-admin.ts): the same validation with dotted field
 * paths, the same live Graph check, the same audit entry, with `cli` as the actor.
 *
 * A running gateway is not told directly: its account registry polls the store's revision and
 * applies a change within about 2 s.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import pino from 'pino';
import { AccountAdmin, type AccountView } from '../accounts/account-admin.js';
import { AccountRegistry } from '../accounts/account-registry.js';
import { verifyGraphCredentials } from '../accounts/verify-graph.js';
import type { FieldError } from '../accounts/validate-account.js';
import { dataDirOf, loadSandboxSecrets, sandboxIds, withSandboxAccount, type SandboxSecrets } from '../compose/sandbox.js';
import type { SandboxWiring } from '../config/accounts.js';
import { loadConfig } from '../config/load.js';
import type { AccountConfig, Config } from '../config/schema.js';
import { WEBHOOK_PATH } from '../http/routes/whatsapp-webhook.js';
import type { AccountStore } from '../store/account-store.js';
import { openStore } from './open-store.js';

export const CLI_ACTOR = 'cli';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const STDIO: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export async function accountsListCommand(options: { json?: boolean }, io: Io = STDIO): Promise<number> {
  return withAdmin(async ({ admin }) => {
    const views = await admin.list();
    if (options.json) io.out(JSON.stringify(views, null, 2));
    else if (views.length === 0) io.out('no accounts (add one with: wabridge accounts add --file account.json)');
    else io.out(accountsTable(views));
    return 0;
  });
}

export async function accountsAddCommand(options: { file: string; verify: boolean; json?: boolean }, io: Io = STDIO): Promise<number> {
  const document = readAccountFile(options.file, io);
  if (document === undefined) return 2;
  return withAdmin(async ({ admin }) => {
    const outcome = await admin.create(document, { actor: CLI_ACTOR, verify: options.verify });
    if (!outcome.ok) return refused(outcome, options.json, io);
    const view = outcome.value;
    if (options.json) {
      io.out(JSON.stringify(view, null, 2));
      return 0;
    }
    io.out(`account ${view.id} created${options.verify ? '' : ' (Graph credentials not checked: --no-verify)'}`);
    for (const line of connectLines(view)) io.out(`  ${line}`);
    io.out('A running gateway serves it within about 2 s.');
    return 0;
  });
}

export async function accountsVerifyCommand(id: string, options: { json?: boolean }, io: Io = STDIO): Promise<number> {
  return withAdmin(async ({ registry, storage }) => {
    // As the gateway runs it; a stored document the registry could not install is resolved here to say why.
    let resolved = registry.directory.byId(id);
    if (!resolved) {
      const record = await storage.get(id);
      if (!record || record.deletedAt !== undefined) return report(options.json, io, 1, { ok: false, message: `no account "${id}" exists`, errors: [] });
      try {
        resolved = registry.resolve(record.document as unknown as AccountConfig);
      } catch (error) {
        return report(options.json, io, 1, { ok: false, message: `account ${id} cannot be checked`, errors: [{ field: 'whatsapp', message: (error as Error).message }] });
      }
    }
    if (resolved.simulated) {
      return report(options.json, io, 0, { ok: true, message: `account ${id} has no Graph credentials of its own: the sandbox wires it to the built-in Meta simulator, so there is nothing to check with Meta`, errors: [] });
    }
    const outcome = await verifyGraphCredentials({
      graphBaseUrl: resolved.whatsapp.graphBaseUrl,
      accessToken: resolved.whatsapp.accessToken,
      phoneNumberId: resolved.whatsapp.phoneNumberId,
      wabaNumber: resolved.wabaNumber,
    });
    switch (outcome.kind) {
      case 'verified':
        return report(options.json, io, 0, {
          ok: true,
          message: `account ${id}: Meta knows phone number id ${resolved.whatsapp.phoneNumberId} as ${outcome.displayPhoneNumber}${outcome.verifiedName ? ` (${outcome.verifiedName})` : ''}, and the token may use it`,
          errors: [],
        });
      case 'invalid':
        return report(options.json, io, 1, { ok: false, message: `Meta did not accept account ${id}'s WhatsApp settings`, errors: outcome.errors });
      case 'unreachable':
        return report(options.json, io, 1, { ok: false, message: `Meta's Graph API could not be reached at ${resolved.whatsapp.graphBaseUrl} (${outcome.reason}): the credentials were not checked`, errors: [] });
    }
  });
}

export async function accountsRemoveCommand(id: string, options: { json?: boolean }, io: Io = STDIO): Promise<number> {
  return withAdmin(async ({ admin }) => {
    const outcome = await admin.delete(id, { actor: CLI_ACTOR });
    if (!outcome.ok) return refused(outcome, options.json, io);
    return report(options.json, io, 0, {
      ok: true,
      message: `account ${id} removed: a running gateway stops serving its endpoint within about 2 s; sends it already accepted and callbacks it still owes go out`,
      errors: [],
    });
  });
}

/**
 * The admin service on the store, with the gateway's own account registry (so a document is
 * resolved exactly as the gateway will run it), opened but not started: a tool neither polls nor
 * signals, and a running gateway picks the change up from the store's revision.
 */
async function withAdmin(work: (parts: { admin: AccountAdmin; registry: AccountRegistry; storage: AccountStore }) => Promise<number>): Promise<number> {
  const config = loadConfig();
  const store = await openStore(config);
  try {
    const logger = pino({ level: 'warn' }, pino.destination(2));
    const sandbox = config.mode === 'sandbox' ? loadSandboxSecrets(dataDirOf(config)) : undefined;
    const registry = await AccountRegistry.open({
      // As the gateway runs it: in sandbox mode with no account configured, with the demo account.
      config: sandbox && config.accounts.length === 0 ? withSandboxAccount(config, sandbox) : config,
      store: store.storage.accounts,
      ...(sandbox ? { sandbox: toolSandboxWiring(sandbox) } : {}),
      logger,
    });
    const admin = new AccountAdmin({
      config,
      accounts: store.storage.accounts,
      audit: store.storage.audit,
      registry,
      publicBase: () => publicBaseOf(config),
      webhookPath: WEBHOOK_PATH,
    });
    return await work({ admin, registry, storage: store.storage.accounts });
  } finally {
    await store.close();
  }
}

/**
 * The sandbox's wiring as a tool can know it: the secrets are the data directory's, but where the
 * built-in simulator listens is known only inside the running gateway. A tool only needs to know
 * an account is wired to it (nothing to check with Meta).
 */
function toolSandboxWiring(secrets: SandboxSecrets): SandboxWiring {
  return {
    graphBaseUrl: 'http://127.0.0.1/built-in-meta-simulator',
    accessToken: secrets.accessToken,
    appSecret: secrets.appSecret,
    webhookVerifyToken: secrets.webhookVerifyToken,
    idsFor: sandboxIds,
  };
}

/** How CleverTap reaches the gateway: the configured public URL, else its listen address as seen from this machine. */
export function publicBaseOf(config: Config): string {
  if (config.server.publicBaseUrl) return config.server.publicBaseUrl;
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
}

function readAccountFile(file: string, io: Io): unknown {
  if (!existsSync(file)) {
    io.err(`wabridge: ${file}: no such file`);
    return undefined;
  }
  const text = readFileSync(file, 'utf8');
  const yaml = /\.ya?ml$/i.test(path.extname(file));
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    io.err(`wabridge: ${file} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
    return undefined;
  }
}

interface Report {
  ok: boolean;
  message: string;
  errors: readonly FieldError[];
}

/** The admin service's refusal: the sentence, then each field at fault on its own line. */
function refused(outcome: { message: string; errors: readonly FieldError[] }, json: boolean | undefined, io: Io): number {
  return report(json, io, 1, { ok: false, message: outcome.message, errors: outcome.errors });
}

function report(json: boolean | undefined, io: Io, code: number, result: Report): number {
  if (json) {
    io.out(JSON.stringify(result, null, 2));
    return code;
  }
  const write = result.ok ? io.out : io.err;
  write(result.ok ? result.message : `wabridge: ${result.message}`);
  for (const error of result.errors) write(`  ${error.field || '(the account)'}: ${error.message}`);
  return code;
}

function connectLines(view: AccountView): string[] {
  const { clevertap, meta } = view.connect;
  const auth = clevertap.auth;
  const authLine =
    auth.kind === 'bearer'
      ? `Authorization header:  ${auth.value}`
      : auth.kind === 'basic'
        ? `Basic authentication:  ${auth.username} / ${auth.password}`
        : `Headers:               ${Object.entries(auth.headers).map(([name, value]) => `${name}: ${value}`).join(', ')}`;
  return [`CleverTap HTTP Endpoint:  ${clevertap.endpoint}`, authLine, `Template import URL:   ${clevertap.templateImportUrl}`, `Meta webhook URL:      ${meta.webhookUrl}`];
}

function authSummary(view: AccountView): string {
  const auth = view.connect.clevertap.auth;
  if (auth.kind === 'bearer') return auth.value;
  if (auth.kind === 'basic') return `basic ${auth.username}:${auth.password}`;
  return Object.entries(auth.headers).map(([name, value]) => `${name}: ${value}`).join(', ');
}

/** One row per account; secrets appear masked only (the views are). */
export function accountsTable(views: readonly AccountView[]): string {
  const header = ['ID', 'WABA NUMBER', 'SOURCE', 'PHONE NUMBER ID', 'CLEVERTAP AUTH', 'DELIVERY REPORT URL'];
  const rows = views.map((view) => [
    view.id,
    view.wabaNumber,
    view.source === 'file' ? 'file (read-only)' : `store v${view.version ?? '?'}`,
    view.whatsapp.phoneNumberId ?? 'simulator',
    authSummary(view),
    view.clevertap.deliveryReportUrl ?? '-',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
