/**
 * @module accounts/live-directory
 * The account directory (config/accounts.ts) whose contents are replaced at runtime: the account
 * registry calls `replace` with every live and deleted account each time the store moves, and
 * the directory works out what was added, updated and removed and tells its listeners.
 *
 * Lookups are what every request pays for (`byId` on each CleverTap call, the app secrets on
 * each webhook), so they stay single Map reads of indexes rebuilt on `replace`, never per call.
 * A replace swaps whole indexes, so a reader sees the accounts before or after it, never half.
 */
import type { AccountChange, AccountChangeListener, AccountDirectory, ResolvedAccount } from '../config/accounts.js';

interface Indexes {
  all: readonly ResolvedAccount[];
  byId: ReadonlyMap<string, ResolvedAccount>;
  byPhoneNumberId: ReadonlyMap<string, ResolvedAccount>;
  byWabaId: ReadonlyMap<string, readonly ResolvedAccount[]>;
  /** Deleted accounts with nothing live in their place. */
  deleted: readonly ResolvedAccount[];
  deletedById: ReadonlyMap<string, ResolvedAccount>;
  deletedByPhoneNumberId: ReadonlyMap<string, ResolvedAccount>;
  appSecrets: readonly string[];
  webhookVerifyTokens: readonly string[];
}

const NONE: readonly ResolvedAccount[] = [];

export class LiveAccountDirectory implements AccountDirectory {
  #indexes: Indexes;
  readonly #listeners = new Set<AccountChangeListener>();

  constructor(accounts: readonly ResolvedAccount[] = [], deleted: readonly ResolvedAccount[] = []) {
    this.#indexes = buildIndexes(accounts, deleted);
  }

  get all(): readonly ResolvedAccount[] {
    return this.#indexes.all;
  }

  get appSecrets(): readonly string[] {
    return this.#indexes.appSecrets;
  }

  get webhookVerifyTokens(): readonly string[] {
    return this.#indexes.webhookVerifyTokens;
  }

  byId(accountId: string): ResolvedAccount | undefined {
    return this.#indexes.byId.get(accountId);
  }

  forWork(accountId: string): ResolvedAccount | undefined {
    return this.#indexes.byId.get(accountId) ?? this.#indexes.deletedById.get(accountId);
  }

  byPhoneNumberId(phoneNumberId: string): ResolvedAccount | undefined {
    return this.#indexes.byPhoneNumberId.get(phoneNumberId);
  }

  forWorkByPhoneNumberId(phoneNumberId: string): ResolvedAccount | undefined {
    return this.#indexes.byPhoneNumberId.get(phoneNumberId) ?? this.#indexes.deletedByPhoneNumberId.get(phoneNumberId);
  }

  byWabaId(wabaId: string): readonly ResolvedAccount[] {
    return this.#indexes.byWabaId.get(wabaId) ?? NONE;
  }

  deliveryReportUrl(accountId: string): string | undefined {
    return this.forWork(accountId)?.clevertap.deliveryReportUrl;
  }

  callbackTargetsPublicOnly(accountId: string): boolean {
    return !this.forWork(accountId)?.clevertap.allowPrivateTargets;
  }

  get deleted(): readonly ResolvedAccount[] {
    return this.#indexes.deleted;
  }

  onChange(listener: AccountChangeListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /**
   * Installs these accounts (and these deleted ones, for `forWork`) and tells the listeners what
   * changed, if anything. Returns the change. A listener that throws does not keep the others
   * from hearing of it; the first error is rethrown after all have run.
   */
  replace(accounts: readonly ResolvedAccount[], deleted: readonly ResolvedAccount[] = []): AccountChange {
    const before = this.#indexes.byId;
    const next = buildIndexes(accounts, deleted);
    const change: AccountChange = { added: [], updated: [], removed: [] };
    for (const account of next.all) {
      const previous = before.get(account.id);
      if (!previous) change.added.push(account);
      else if (fingerprint(previous) !== fingerprint(account)) change.updated.push(account);
    }
    for (const account of before.values()) if (!next.byId.has(account.id)) change.removed.push(account);
    this.#indexes = next;
    if (change.added.length + change.updated.length + change.removed.length === 0) return change;
    let failure: unknown;
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
    return change;
  }
}

function buildIndexes(accounts: readonly ResolvedAccount[], deleted: readonly ResolvedAccount[]): Indexes {
  const byId = new Map<string, ResolvedAccount>();
  for (const account of accounts) {
    if (byId.has(account.id)) throw new Error(`account "${account.id}" is given twice`);
    byId.set(account.id, account);
  }
  const all = [...byId.values()];
  const byPhoneNumberId = new Map(all.map((account) => [account.whatsapp.phoneNumberId, account]));
  const byWabaId = new Map<string, ResolvedAccount[]>();
  for (const account of all) {
    const onWaba = byWabaId.get(account.whatsapp.wabaId);
    if (onWaba) onWaba.push(account);
    else byWabaId.set(account.whatsapp.wabaId, [account]);
  }
  const gone = deleted.filter((account) => !byId.has(account.id));
  const deletedById = new Map(gone.map((account) => [account.id, account]));
  const deletedByPhoneNumberId = new Map<string, ResolvedAccount>();
  for (const account of gone) if (!byPhoneNumberId.has(account.whatsapp.phoneNumberId)) deletedByPhoneNumberId.set(account.whatsapp.phoneNumberId, account);
  return {
    all,
    byId,
    byPhoneNumberId,
    byWabaId,
    deleted: [...deletedById.values()],
    deletedById,
    deletedByPhoneNumberId,
    // A deleted account's sends still get status webhooks, signed with its secret.
    appSecrets: [...new Set([...all, ...gone].map((account) => account.whatsapp.appSecret))],
    webhookVerifyTokens: [...new Set(all.map((account) => account.whatsapp.webhookVerifyToken))],
  };
}

/** Equal for two resolutions of the same settings (a Set compared by its members). */
function fingerprint(account: ResolvedAccount): string {
  return JSON.stringify(account, (_key, value: unknown) => (value instanceof Set ? [...value].sort() : value));
}
