/**
 * @module accounts/account-admin
 * What the accounts admin API does, apart from HTTP: list, show, create, update and delete
 * accounts without a restart. A change is validated (validate-account), its Graph credentials
 * checked with Meta unless the caller said not to (verify-graph), written to the store together
 * with its audit entry, and then applied: `registry.refresh()` re-reads the store on this replica
 * and tells the others, so the account's CleverTap endpoint answers as soon as the call returns.
 *
 * Accounts declared in the configuration file are shown read-only: the file is their source of
 * truth, and they win over a stored account with the same id. Their ids and numbers still count
 * when a new account asks for one.
 *
 * Answers never carry a secret: views are masked (mask.ts), and the audit entry says which secret
 * changed, never its value.
 */
import type { ResolvedAccount } from '../config/accounts.js';
import type { AccountConfig, Config } from '../config/schema.js';
import { weakProductionSecrets } from '../config/secrets.js';
import { normalizePhone } from '../domain/phone.js';
import type { AccountRecord, AccountStore, AccountWrite, AuditDraft, AuditEntry, AuditLog } from '../store/account-store.js';
import type { AccountHealth, AccountHealthReader } from './account-health.js';
import { accountSecrets, keepStoredSecrets, maskAccount, maskSecret } from './mask.js';
import { validateAccount, type FieldError } from './validate-account.js';
import { verifyGraphCredentials, type GraphTarget, type GraphVerification } from './verify-graph.js';

/** What the admin service needs of the account registry (account-registry.ts). */
export interface AdminRegistry {
  readonly directory: { byId(accountId: string): ResolvedAccount | undefined };
  fileAccount(id: string): AccountConfig | undefined;
  fileAccounts(): readonly AccountConfig[];
  resolve(document: AccountConfig): ResolvedAccount;
  refresh(): Promise<void>;
}

export type ConnectAuth =
  | { kind: 'bearer'; header: 'Authorization'; value: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'headers'; headers: Record<string, string> };

/** What to paste into CleverTap's Generic (Other) form and Meta's App Dashboard. */
export interface AccountConnect {
  clevertap: { endpoint: string; requestType: 'POST'; auth: ConnectAuth; templateImportUrl: string };
  meta: { webhookUrl: string; verifyToken: string };
}

/** An account as the admin API answers it: the config file's shape, secrets masked, and where it comes from. */
export type AccountView = AccountConfig & {
  source: 'file' | 'store';
  readOnly: boolean;
  version?: number;
  createdAt?: string;
  updatedAt?: string;
  connect: AccountConnect;
  /** How it is doing (last send, last webhook, callbacks owed, template sync); absent without a running gateway. */
  health?: AccountHealth;
};

export type AdminOutcome<T> = { ok: true; value: T } | { ok: false; status: 400 | 404 | 409 | 422 | 502; message: string; errors: FieldError[] };

export interface ChangeOptions {
  /** Who asks: `admin` (the token's name), `loopback`, `cli`. */
  actor: string;
  /** Check the Graph credentials with Meta first (default true). */
  verify?: boolean;
}

export interface AccountAdminOptions {
  config: Pick<Config, 'mode' | 'store'>;
  accounts: AccountStore;
  audit: AuditLog;
  registry: AdminRegistry;
  /** How CleverTap and Meta reach this gateway; undefined while unknown (the connect values are then paths). */
  publicBase(): string | undefined;
  /** Where Meta's webhook is served (http/routes/whatsapp-webhook.ts). */
  webhookPath: string;
  verify?: (target: GraphTarget) => Promise<GraphVerification>;
  now?: () => number;
  /** Each account's health, added to the list and to a single account's answer (account-health.ts). */
  health?: AccountHealthReader;
}

/** Marks a secret in the audit log: that it changed, never what it is. */
export const SECRET_CHANGED = '(changed)';
/** Fields of a view a PUT may send back with the document (a GET → edit → PUT round trip). */
const VIEW_ONLY_FIELDS = ['source', 'readOnly', 'version', 'createdAt', 'updatedAt', 'connect', 'health'] as const;

export class AccountAdmin {
  readonly #options: AccountAdminOptions;
  readonly #verify: (target: GraphTarget) => Promise<GraphVerification>;
  readonly #now: () => number;

  constructor(options: AccountAdminOptions) {
    this.#options = options;
    this.#verify = options.verify ?? ((target) => verifyGraphCredentials(target));
    this.#now = options.now ?? Date.now;
  }

  /** The file's accounts, then the stored live ones not shadowed by a file account. */
  async list(): Promise<AccountView[]> {
    const { registry, accounts } = this.#options;
    const files = registry.fileAccounts();
    const fileIds = new Set(files.map((account) => account.id));
    const stored = (await accounts.list()).filter((record) => record.deletedAt === undefined && !fileIds.has(record.id));
    return this.#withHealth([...files.map((account) => this.#fileView(account)), ...stored.map((record) => this.#storedView(record))]);
  }

  async get(id: string): Promise<AdminOutcome<AccountView>> {
    const file = this.#options.registry.fileAccount(id);
    const record = file ? undefined : await this.#live(id);
    const view = file ? this.#fileView(file) : record ? this.#storedView(record) : undefined;
    if (!view) return notFound(id);
    const [withHealth] = await this.#withHealth([view]);
    return { ok: true, value: withHealth! };
  }

  async create(body: unknown, options: ChangeOptions): Promise<AdminOutcome<AccountView>> {
    const document = withoutViewFields(body).document;
    const id = typeof document?.['id'] === 'string' ? document['id'] : undefined;
    if (id !== undefined && this.#options.registry.fileAccount(id)) {
      return conflict(`account ${id} is declared in the configuration file`, [{ field: 'id', message: `is already used by account ${id} of the configuration file` }]);
    }
    const checked = await this.#check(document, options);
    if (!checked.ok) return checked;
    const { account, verification } = checked.value;
    const at = this.#now();
    const written = await this.#options.accounts.create(
      { id: account.id, wabaNumber: account.wabaNumber, document: account as unknown as Record<string, unknown> },
      this.#audit(at, options.actor, 'account.create', account.id, { changes: changesBetween(undefined, account), verification }),
    );
    return this.#applied(written, account);
  }

  async update(id: string, body: unknown, options: ChangeOptions): Promise<AdminOutcome<AccountView>> {
    if (this.#options.registry.fileAccount(id)) return declaredInFile(id);
    const stored = await this.#live(id);
    if (!stored) return notFound(id);
    const { document, version } = withoutViewFields(body);
    if (!document) return invalid([{ field: '', message: 'the account must be a JSON object' }]);
    if (document['id'] !== undefined && document['id'] !== id) {
      return invalid([{ field: 'id', message: `cannot be changed (this is account ${id}); create a new account instead` }]);
    }
    if (version !== undefined && (!Number.isInteger(version) || (version as number) < 1)) return invalid([{ field: 'version', message: 'must be a positive integer' }]);
    if (version !== undefined && version !== stored.version) return staleVersion(id, stored.version);
    const merged = keepStoredSecrets({ ...document, id }, stored.document);
    const checked = await this.#check(merged, options);
    if (!checked.ok) return checked;
    const { account, verification } = checked.value;
    const changes = changesBetween(stored.document, account);
    const written = await this.#options.accounts.update(
      { id, wabaNumber: account.wabaNumber, document: account as unknown as Record<string, unknown> },
      this.#audit(this.#now(), options.actor, 'account.update', id, { changes, verification }),
      stored.version,
    );
    if (!written.ok && written.reason === 'version-conflict') return staleVersion(id);
    return this.#applied(written, account);
  }

  async delete(id: string, options: Pick<ChangeOptions, 'actor'>): Promise<AdminOutcome<undefined>> {
    if (this.#options.registry.fileAccount(id)) return declaredInFile(id);
    const stored = await this.#live(id);
    if (!stored) return notFound(id);
    const written = await this.#options.accounts.markDeleted(id, this.#audit(this.#now(), options.actor, 'account.delete', id, { wabaNumber: stored.wabaNumber, version: stored.version }));
    if (!written.ok) return notFound(id);
    await this.#options.registry.refresh();
    return { ok: true, value: undefined };
  }

  /** The audit log, newest first. */
  audit(query: { limit: number; before?: string; subject?: string }): Promise<AuditEntry[]> {
    return this.#options.audit.list(query);
  }

  /** Validation, uniqueness against the file's accounts, then (unless skipped) Meta's opinion. */
  async #check(body: unknown, options: ChangeOptions): Promise<AdminOutcome<{ account: AccountConfig; verification: string }>> {
    const { config, registry } = this.#options;
    const validation = validateAccount(body, { mode: config.mode });
    if (!validation.ok) return invalid(validation.errors);
    const account = validation.account;
    // Only the account's own secrets: the rest of the configuration was checked at start.
    const weak = weakProductionSecrets({ mode: config.mode, store: { path: config.store.path }, accounts: [account] } as unknown as Config);
    if (weak.length > 0) {
      return invalid(weak.map((sentence) => ({ field: sentence.slice(0, sentence.indexOf(':')).replace(/^accounts\[0\]\./, ''), message: sentence.slice(sentence.indexOf(':') + 2) })));
    }
    const holder = registry.fileAccounts().find((file) => file.id !== account.id && normalizePhone(file.wabaNumber) === account.wabaNumber);
    if (holder) return numberTaken(account.wabaNumber, holder.id);

    let resolved: ResolvedAccount;
    try {
      resolved = registry.resolve(account);
    } catch (error) {
      return invalid([{ field: 'whatsapp', message: (error as Error).message }]);
    }
    if (options.verify === false) return { ok: true, value: { account, verification: 'skipped' } };
    if (resolved.simulated) return { ok: true, value: { account, verification: 'built-in simulator' } };
    const outcome = await this.#verify({
      graphBaseUrl: resolved.whatsapp.graphBaseUrl,
      accessToken: resolved.whatsapp.accessToken,
      phoneNumberId: resolved.whatsapp.phoneNumberId,
      wabaNumber: account.wabaNumber,
    });
    if (outcome.kind === 'invalid') {
      return { ok: false, status: 422, message: `Meta did not accept the account's WhatsApp settings: ${outcome.errors.map((error) => `${error.field} ${error.message}`).join('; ')}`, errors: outcome.errors };
    }
    if (outcome.kind === 'unreachable') {
      return {
        ok: false,
        status: 502,
        message: `Meta's Graph API could not be reached to check the WhatsApp credentials (${outcome.reason}); nothing was saved: try again, or save with ?verify=false to skip the check`,
        errors: [],
      };
    }
    return { ok: true, value: { account, verification: `verified: ${outcome.displayPhoneNumber}` } };
  }

  /** After a store write: the outcome, and the running gateway brought up to date. */
  async #applied(written: AccountWrite, account: AccountConfig): Promise<AdminOutcome<AccountView>> {
    if (!written.ok) {
      switch (written.reason) {
        case 'exists':
          return conflict(`account ${account.id} already exists`, [{ field: 'id', message: `is already used by account ${account.id}` }]);
        case 'number-taken':
          return numberTaken(account.wabaNumber, written.by);
        case 'version-conflict':
          return staleVersion(account.id);
        case 'missing':
          return notFound(account.id);
      }
    }
    await this.#options.registry.refresh();
    return { ok: true, value: this.#storedView(written.account) };
  }

  /** The views with their health, when the service was given a way to read it. */
  async #withHealth(views: AccountView[]): Promise<AccountView[]> {
    const { health } = this.#options;
    if (!health || views.length === 0) return views;
    const byId = await health(views.map((view) => view.id));
    return views.map((view) => {
      const found = byId.get(view.id);
      return found ? { ...view, health: found } : view;
    });
  }

  async #live(id: string): Promise<AccountRecord | undefined> {
    const record = await this.#options.accounts.get(id);
    return record && record.deletedAt === undefined ? record : undefined;
  }

  #audit(at: number, actor: string, action: string, subject: string, details: Record<string, unknown>): AuditDraft {
    return { at, actor, action, subject, details };
  }

  #fileView(account: AccountConfig): AccountView {
    return { ...maskAccount(account), source: 'file', readOnly: true, connect: this.#connect(account) };
  }

  #storedView(record: AccountRecord): AccountView {
    const document = record.document as unknown as AccountConfig;
    return {
      ...maskAccount(document),
      source: 'store',
      readOnly: false,
      version: record.version,
      createdAt: new Date(record.createdAt).toISOString(),
      updatedAt: new Date(record.updatedAt).toISOString(),
      connect: this.#connect(document),
    };
  }

  #connect(account: AccountConfig): AccountConnect {
    const base = (this.#options.publicBase() ?? '').replace(/\/+$/, '');
    const endpointBase = `${base}/v1/clevertap/${encodeURIComponent(account.id)}`;
    let verifyToken = account.whatsapp.webhookVerifyToken;
    if (verifyToken === undefined) {
      // An account wired to the sandbox's simulator uses the sandbox's token.
      try {
        verifyToken = (this.#options.registry.directory.byId(account.id) ?? this.#options.registry.resolve(account)).whatsapp.webhookVerifyToken;
      } catch {
        verifyToken = undefined;
      }
    }
    return {
      clevertap: { endpoint: `${endpointBase}/messages`, requestType: 'POST', auth: connectAuth(account.clevertap.auth), templateImportUrl: `${endpointBase}/templates` },
      meta: { webhookUrl: `${base}${this.#options.webhookPath}`, verifyToken: verifyToken === undefined ? '' : maskSecret(verifyToken) },
    };
  }
}

function connectAuth(auth: AccountConfig['clevertap']['auth']): ConnectAuth {
  switch (auth.kind) {
    case 'bearer':
      return { kind: 'bearer', header: 'Authorization', value: `Bearer ${maskSecret(auth.token.replace(/^Bearer\s+/i, ''))}` };
    case 'basic':
      return { kind: 'basic', username: auth.username, password: maskSecret(auth.password) };
    case 'headers':
      return { kind: 'headers', headers: Object.fromEntries(Object.entries(auth.headers).map(([name, value]) => [name, maskSecret(value)])) };
  }
}

/** A body without the view-only fields a GET answered, and the version it names (if any). */
function withoutViewFields(body: unknown): { document: Record<string, unknown> | undefined; version?: unknown } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { document: undefined };
  const document = { ...(body as Record<string, unknown>) };
  const version = document['version'];
  for (const field of VIEW_ONLY_FIELDS) delete document[field];
  return version === undefined ? { document } : { document, version };
}

/**
 * What changed between two documents, by dotted path: `{from, to}` for settings, `(changed)` for
 * secrets (set, replaced or removed). A creation has no `from`.
 */
export function changesBetween(before: Record<string, unknown> | undefined, after: AccountConfig): Record<string, unknown> {
  const secretPaths = new Set([...accountSecrets(before ?? {}), ...accountSecrets(after)].map((secret) => secret.path));
  const old = flatten(before ?? {});
  const now = flatten(after as unknown as Record<string, unknown>);
  const changes: Record<string, unknown> = {};
  for (const path of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const from = old.get(path);
    const to = now.get(path);
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    if (secretPaths.has(path)) changes[path] = SECRET_CHANGED;
    else changes[path] = before === undefined ? { to } : { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
  }
  return changes;
}

/** Leaves by dotted path; arrays are leaves (a keyword list is one setting). */
function flatten(value: Record<string, unknown>, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, inner] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) flatten(inner as Record<string, unknown>, path, into);
    else if (inner !== undefined) into.set(path, inner);
  }
  return into;
}

function invalid(errors: FieldError[]): AdminOutcome<never> {
  const first = errors[0];
  const detail = first ? `${first.field || 'the body'} ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}` : 'it is not valid';
  return { ok: false, status: 422, message: `the account is not valid: ${detail}`, errors };
}

function conflict(message: string, errors: FieldError[] = []): AdminOutcome<never> {
  return { ok: false, status: 409, message, errors };
}

function numberTaken(number: string, by: string): AdminOutcome<never> {
  const sentence = `${number} is already served by account ${by}`;
  return conflict(sentence, [{ field: 'wabaNumber', message: sentence }]);
}

function declaredInFile(id: string): AdminOutcome<never> {
  return conflict(`account ${id} is declared in the configuration file; edit the file to change it`);
}

function staleVersion(id: string, current?: number): AdminOutcome<never> {
  return conflict(`account ${id} was changed since it was read${current !== undefined ? ` (it is at version ${current} now)` : ''}; read it again and repeat the change`, [
    { field: 'version', message: 'is not the current version' },
  ]);
}

function notFound(id: string): AdminOutcome<never> {
  return { ok: false, status: 404, message: `no account "${id}" exists`, errors: [] };
}
