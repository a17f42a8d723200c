/**
 * @module accounts/account-registry
 * Where the running gateway's accounts come from: the configuration file's, and those operators
 * stored through the admin API (store/account-store.ts), resolved and installed in one live
 * directory (live-directory.ts) that every part of the gateway reads and follows.
 *
 * The file is the source of truth for what it declares: a stored account with a file account's id
 * is ignored (with one warning). A stored document is read with the configuration's own account
 * schema (defaults filled, then checked), so a stored account means what the same lines in the
 * file would mean. In sandbox mode a stored account without Graph credentials is wired to the
 * built-in simulator, with ids derived from its id (config/accounts.ts), and the simulator is told
 * about its number before anything can send from it.
 *
 * Replicas follow each other: the one that changed the store calls `refresh()`, which applies the
 * change here and signals the others (`{ kind: 'accounts' }`), who `reload()`. Signals only save
 * time: every replica also polls the store's revision (a cheap read) every couple of seconds, so
 * a lost signal delays a change by that much and never loses it.
 */
import type { Logger } from 'pino';
import { Value } from 'typebox/value';
import { resolveAccounts, resolveStoredAccount, type ResolvedAccount, type SandboxWiring } from '../config/accounts.js';
import { AccountSchema, type AccountConfig, type Config } from '../config/schema.js';
import type { AccountRecord, AccountStore } from '../store/account-store.js';
import { LiveAccountDirectory } from './live-directory.js';

/** How often a replica asks the store whether the accounts moved. */
export const DEFAULT_ACCOUNT_POLL_MS = 2_000;

export interface AccountRegistryOptions {
  /** The configuration the gateway runs (in sandbox mode, with the demo account it may add). */
  config: Pick<Config, 'mode' | 'accounts'>;
  store: AccountStore;
  /** Sandbox mode: what accounts without Graph settings are wired to. */
  sandbox?: SandboxWiring;
  logger: Logger;
  /** Tells the other replicas the accounts changed (absent with none). */
  signal?(): void;
  pollIntervalMs?: number;
}

export class AccountRegistry {
  readonly directory: LiveAccountDirectory;
  readonly #options: AccountRegistryOptions;
  readonly #files: readonly AccountConfig[];
  readonly #fileIds: ReadonlySet<string>;
  readonly #fileResolved: readonly ResolvedAccount[];
  readonly #log: Logger;
  /** The store's revision the directory reflects. */
  #revision: string | undefined;
  #loading: Promise<void> | undefined;
  /** A reload was asked for while one ran: it may have read the store too early, so run again. */
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #pollFailing = false;
  #stopped = false;
  /** The last good resolution of each stored account, kept when a newer document cannot be read. */
  readonly #lastGood = new Map<string, ResolvedAccount>();
  /** Warnings said once: a stored id a file account shadows, a stored version that cannot be read. */
  readonly #warned = new Set<string>();

  /** A registry with the file's accounts and the store's, loaded. */
  static async open(options: AccountRegistryOptions): Promise<AccountRegistry> {
    const registry = new AccountRegistry(options);
    await registry.reload();
    return registry;
  }

  private constructor(options: AccountRegistryOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#files = options.config.accounts;
    this.#fileIds = new Set(this.#files.map((account) => account.id));
    this.#fileResolved = resolveAccounts({ mode: options.config.mode, accounts: [...this.#files] } as Config, options.sandbox);
    this.directory = new LiveAccountDirectory(this.#fileResolved);
  }

  /** Accounts declared in the config file (read-only through the API), as declared. */
  fileAccount(id: string): AccountConfig | undefined {
    return this.#files.find((account) => account.id === id);
  }

  fileAccounts(): readonly AccountConfig[] {
    return this.#files;
  }

  /** Resolves a stored account's document the way the gateway will run it (sandbox wiring included); throws saying what is missing. */
  resolve(document: AccountConfig): ResolvedAccount {
    return resolveStoredAccount(document, this.#options.config.mode, this.#options.sandbox);
  }

  /** Re-reads the store now, applies what changed on this replica, and tells the other replicas. */
  async refresh(): Promise<void> {
    await this.reload();
    this.#options.signal?.();
  }

  /** Re-reads the store now and applies what changed here (another replica changed it). */
  reload(): Promise<void> {
    // A signal arriving during shutdown changes nothing any more.
    if (this.#stopped) return Promise.resolve();
    if (this.#loading) {
      // The running read may have started before the change this caller knows of: read again after it.
      this.#again = true;
      return this.#loading;
    }
    const run = async () => {
      try {
        do {
          this.#again = false;
          await this.#load();
        } while (this.#again);
      } finally {
        this.#loading = undefined;
      }
    };
    this.#loading = run();
    return this.#loading;
  }

  /** Starts polling the store's revision. */
  start(): void {
    const every = this.#options.pollIntervalMs ?? DEFAULT_ACCOUNT_POLL_MS;
    this.#timer = setInterval(() => void this.#poll(), every);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#loading?.catch(() => {});
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#loading) return;
    this.#polling = true;
    try {
      const revision = await this.#options.store.revision();
      if (revision !== this.#revision) await this.reload();
      if (this.#pollFailing) this.#log.info('the stored accounts can be read again');
      this.#pollFailing = false;
    } catch (error) {
      if (!this.#pollFailing) this.#log.warn({ err: error }, 'could not read the stored accounts; serving the ones known, trying again');
      this.#pollFailing = true;
    } finally {
      this.#polling = false;
    }
  }

  async #load(): Promise<void> {
    const { store } = this.#options;
    // The revision first: a write landing between the two reads moves it again, and the next
    // poll reads once more.
    const revision = await store.revision();
    const records = await store.list();
    const live: ResolvedAccount[] = [...this.#fileResolved];
    const deleted: ResolvedAccount[] = [];
    for (const record of records) {
      if (this.#fileIds.has(record.id)) {
        this.#once(`shadowed:${record.id}`, () =>
          this.#log.warn({ accountId: record.id }, 'a stored account has the id of an account in the configuration file; the file\'s account is used'),
        );
        continue;
      }
      const resolved = this.#resolveRecord(record);
      if (!resolved) continue;
      (record.deletedAt === undefined ? live : deleted).push(resolved);
    }
    // The simulator knows a number before any lane can send from it.
    for (const account of [...live, ...deleted]) {
      if (account.simulated && !this.#fileIds.has(account.id)) this.#registerSimulated(account);
    }
    this.#revision = revision;
    const change = this.directory.replace(live, deleted);
    for (const account of change.added) this.#log.info({ accountId: account.id, wabaNumber: account.wabaNumber }, 'account added');
    for (const account of change.updated) this.#log.info({ accountId: account.id, wabaNumber: account.wabaNumber }, 'account updated');
    for (const account of change.removed) this.#log.info({ accountId: account.id }, 'account removed; what it accepted is still sent and reported');
  }

  #resolveRecord(record: AccountRecord): ResolvedAccount | undefined {
    const previous = this.#lastGood.get(record.id);
    try {
      const document = Value.Default(AccountSchema, structuredClone(record.document));
      if (!Value.Check(AccountSchema, document)) {
        const first = Value.Errors(AccountSchema, document)[0];
        throw new Error(first ? `${first.instancePath || '/'} ${first.message}` : 'does not match the account schema');
      }
      const resolved = this.resolve(document as AccountConfig);
      this.#lastGood.set(record.id, resolved);
      return resolved;
    } catch (error) {
      this.#once(`unreadable:${record.id}:${record.version}`, () =>
        this.#log.error(
          { accountId: record.id, version: record.version, err: error },
          previous ? 'a stored account cannot be used as saved; its previous settings stay in use' : 'a stored account cannot be used as saved; it is not served',
        ),
      );
      return previous;
    }
  }

  #registerSimulated(account: ResolvedAccount): void {
    const register = this.#options.sandbox?.registerNumber;
    if (!register) return;
    register({
      phoneNumberId: account.whatsapp.phoneNumberId,
      wabaId: account.whatsapp.wabaId,
      displayPhoneNumber: account.wabaNumber,
      messagesPerSecond: account.whatsapp.messagesPerSecond,
    });
  }

  #once(key: string, say: () => void): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    say();
  }
}
