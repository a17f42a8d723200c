/**
 * @module pipeline/template-catalog
 * Each account's WhatsApp templates, kept in step with Meta and held in memory for the send
 * path's pre-flight and CleverTap's template import.
 *
 * A sync reads every page of `GET /{waba-id}/message_templates` (all statuses) and replaces the
 * stored catalogue in one transaction; only then is the in-memory index swapped, so a send sees
 * either the old catalogue or the new one. Syncs run at startup, every `syncEveryMs`, when a
 * status webhook names a template we do not know, and on demand (CLI, admin API). A failed sync
 * keeps the last good copy and records why.
 *
 * Meta limits WABA management calls (about 200 an hour per WABA): code 80007 (WABA) or 4 (app)
 * means "too many", and the account is then left alone for a growing pause — scheduled, webhook
 * and on-demand syncs alike — instead of digging the hole deeper.
 *
 * With several replicas, only the leader (cluster/leader.ts) reads Meta on the schedule, so the
 * cluster spends one call budget, not one per replica; the others re-read the store on that
 * schedule instead. Every change a replica makes to the stored catalogue (a sync, a status
 * webhook) is announced through `onChanged`, and the other replicas `reload` that account from
 * the store: a paused template is refused cluster-wide within moments.
 *
 * Accounts come and go at runtime: `setSource` adds an account (its stored copy loaded, then a
 * sync) or points it at another WABA, and `removeSource` forgets one.
 */
import type { Logger } from 'pino';
import type { TemplateDefinition, TemplateStatus } from '../domain/template.js';
import type { TemplateStore, TemplateSyncState } from '../store/template-store.js';
import type { GetOutcome } from '../whatsapp/graph-client.js';
import { parseTemplateDefinition, parseTemplateListPage } from '../whatsapp/template-definitions.js';
import { TemplateIndex } from './template-preflight.js';

/** Graph's page size for template listings; 100 keeps a 1,000-template WABA to ten calls. */
export const TEMPLATE_PAGE_SIZE = 100;
const LIST_FIELDS = 'id,name,status,category,language,components,parameter_format';
/** Meta's WABA (80007) and app (4) rate-limit codes for management calls. */
const RATE_LIMIT_CODES = new Set([4, 80007]);
/** Templates whose latest status-change time is remembered, per account (oldest forgotten first). */
const MAX_TRACKED_STATUS_CHANGES = 10_000;
const RATE_LIMIT_PAUSE_MS = { first: 5 * 60_000, max: 60 * 60_000 };
const FAILURE_RETRY_MS = { first: 30_000 };
/** A catalogue bigger than this is a runaway listing (a cursor loop), not a real WABA. */
const MAX_PAGES = 1_000;

export interface TemplateSource {
  accountId: string;
  wabaId: string;
  /** `GET` on Graph, relative to the account's base URL. */
  getJson(path: string): Promise<GetOutcome>;
}

export interface TemplateCatalogOptions {
  sources: readonly TemplateSource[];
  store: TemplateStore;
  logger: Logger;
  syncEveryMs: number;
  now?: () => number;
  /** Several replicas: whether this one runs the scheduled syncs now. Absent: it always does. */
  isLeader?(): boolean;
  /** The stored catalogue of an account changed here (to tell the other replicas). */
  onChanged?(accountId: string): void;
}

export type SyncResult =
  | { ok: true; accountId: string; templates: number; approved: number; skipped: string[] }
  | { ok: false; accountId: string; error: string; retryAt?: number };

export interface TemplateCatalogStatus extends TemplateSyncState {
  syncing: boolean;
  /** Set while Meta's management rate limit keeps this account from syncing. */
  rateLimitedUntil?: number;
  nextSyncAt?: number;
}

/** A status change Meta announced by webhook (`message_template_status_update`). */
export interface TemplateStatusChange {
  templateId: string;
  name?: string;
  language?: string;
  /**
   * The status the template now has; undefined for events that do not say (UNARCHIVED, unknown
   * future events), which are answered with a sync.
   */
  status: TemplateStatus | undefined;
  /** When Meta says it happened (epoch ms): webhooks arrive in no guaranteed order. */
  at?: number;
}

class RateLimited extends Error {}

interface AccountState {
  source: TemplateSource;
  definitions: TemplateDefinition[];
  index?: TemplateIndex;
  /** APPROVED templates ordered by id, the import endpoint's stable order. */
  approved: TemplateDefinition[];
  running?: Promise<SyncResult>;
  /** A sync was asked for while one ran: run once more after it, since it may have started too early. */
  again: boolean;
  failures: number;
  rateLimitedUntil?: number;
  rateLimitPauseMs: number;
  timer?: NodeJS.Timeout;
  nextSyncAt?: number;
  /** When the newest status change applied to each template happened, to drop late, older ones. */
  changedAt: Map<string, number>;
}

export class TemplateCatalog {
  readonly #accounts = new Map<string, AccountState>();
  readonly #store: TemplateStore;
  readonly #log: Logger;
  readonly #syncEveryMs: number;
  readonly #now: () => number;
  readonly #isLeader: () => boolean;
  readonly #onChanged: (accountId: string) => void;
  #closed = false;
  #started = false;

  constructor(options: TemplateCatalogOptions) {
    this.#isLeader = options.isLeader ?? (() => true);
    this.#onChanged = options.onChanged ?? (() => undefined);
    this.#store = options.store;
    this.#log = options.logger;
    this.#syncEveryMs = options.syncEveryMs;
    this.#now = options.now ?? Date.now;
    for (const source of options.sources) this.#accounts.set(source.accountId, freshState(source));
  }

  /**
   * Adds an account's source, or changes it. Once started, a new account (or one now on another
   * WABA) loads its stored copy and syncs at once; a source on the same WABA is only swapped.
   */
  setSource(source: TemplateSource): void {
    if (this.#closed) return;
    const state = this.#accounts.get(source.accountId);
    if (state && state.source.wabaId === source.wabaId) {
      state.source = source;
      return;
    }
    if (state) clearTimeout(state.timer);
    const fresh = freshState(source);
    this.#accounts.set(source.accountId, fresh);
    if (!this.#started) return;
    void this.reload(source.accountId)
      .catch((error: unknown) => this.#log.warn({ err: error, accountId: source.accountId }, 'could not read the stored templates of an added account'))
      .finally(() => {
        if (this.#accounts.get(source.accountId) === fresh) this.#scheduledSync(fresh);
      });
  }

  /** Forgets an account (deleted): no more syncs, and its templates are no longer answered. */
  removeSource(accountId: string): void {
    const state = this.#accounts.get(accountId);
    if (!state) return;
    clearTimeout(state.timer);
    this.#accounts.delete(accountId);
  }

  /**
   * Loads the last good copies from the store (so pre-flight works from the first request after
   * a restart, even with Meta unreachable), then syncs every account in the background.
   */
  async start(): Promise<void> {
    this.#started = true;
    for (const accountId of this.#accounts.keys()) await this.reload(accountId);
    for (const state of this.#accounts.values()) this.#scheduledSync(state);
  }

  /** Re-reads an account's catalogue from the store (another replica changed it). */
  async reload(accountId: string): Promise<void> {
    const state = this.#accounts.get(accountId);
    if (!state) return;
    const syncState = await this.#store.syncState(accountId);
    if (syncState?.lastSuccessAt === undefined) return;
    const stored = await this.#store.list(accountId);
    this.#install(state, this.#parseStored(accountId, stored.map((template) => template.raw)));
  }

  /** The account's index for pre-flight; undefined until a sync has ever succeeded. */
  indexFor(accountId: string): TemplateIndex | undefined {
    return this.#accounts.get(accountId)?.index;
  }

  /** APPROVED templates in a stable order (by id), for CleverTap's template import. */
  approvedFor(accountId: string): readonly TemplateDefinition[] {
    return this.#accounts.get(accountId)?.approved ?? [];
  }

  hasAccount(accountId: string): boolean {
    return this.#accounts.has(accountId);
  }

  /**
   * Syncs one account now. A sync already running is joined, and run once more after it (it may
   * have read Meta before whatever prompted this call).
   */
  sync(accountId: string): Promise<SyncResult> {
    const state = this.#accounts.get(accountId);
    if (!state) return Promise.resolve({ ok: false, accountId, error: `no account "${accountId}" is configured` });
    if (state.running) {
      state.again = true;
      return state.running;
    }
    const limitedUntil = state.rateLimitedUntil;
    if (limitedUntil !== undefined && limitedUntil > this.#now()) {
      return Promise.resolve({
        ok: false,
        accountId,
        error: `Meta's template API rate limit: not calling it again before ${new Date(limitedUntil).toISOString()}`,
        retryAt: limitedUntil,
      });
    }
    const running = this.#runSync(state).finally(() => {
      state.running = undefined;
      if (state.again && !this.#closed) {
        state.again = false;
        void this.sync(accountId);
      }
    });
    state.running = running;
    return running;
  }

  /** Resolves once no sync is running (e.g. the startup ones). */
  async settled(): Promise<void> {
    for (;;) {
      const running = [...this.#accounts.values()].map((state) => state.running).filter(Boolean);
      if (running.length === 0) return;
      await Promise.allSettled(running);
    }
  }

  syncAll(): Promise<SyncResult[]> {
    return Promise.all([...this.#accounts.keys()].map((accountId) => this.sync(accountId)));
  }

  /**
   * A status webhook applies at once: a paused template is refused from the next send on. A
   * template we have never seen (created after the last sync) triggers a sync instead.
   */
  async applyStatusChange(accountId: string, change: TemplateStatusChange): Promise<void> {
    const state = this.#accounts.get(accountId);
    if (!state) return;
    if (change.status === undefined) {
      void this.sync(accountId);
      return;
    }
    if (change.at !== undefined) {
      const newest = state.changedAt.get(change.templateId);
      if (newest !== undefined && change.at < newest) {
        this.#log.info({ accountId, templateId: change.templateId, status: change.status }, 'template status update older than one already applied; ignored');
        return;
      }
      // Bounded like every map fed from the wire: a WABA holds at most a few thousand templates.
      if (state.changedAt.size >= MAX_TRACKED_STATUS_CHANGES && !state.changedAt.has(change.templateId)) {
        state.changedAt.delete(state.changedAt.keys().next().value!);
      }
      state.changedAt.set(change.templateId, change.at);
    }
    // A sync that is reading Meta right now may have read the old status: read again after it.
    if (state.running) state.again = true;
    const known = await this.#store.setStatus(accountId, change.templateId, change.status);
    const at = state.definitions.findIndex((definition) => definition.id === change.templateId);
    if (!known || at < 0) {
      this.#log.info({ accountId, templateId: change.templateId, name: change.name, status: change.status }, 'status update for a template not synced yet: syncing');
      void this.sync(accountId);
      return;
    }
    const before = state.definitions[at]!;
    const raw = typeof before.raw === 'object' && before.raw !== null ? { ...(before.raw as Record<string, unknown>), status: change.status } : before.raw;
    const definitions = state.definitions.slice();
    definitions[at] = { ...before, status: change.status, raw };
    this.#install(state, definitions);
    this.#onChanged(accountId);
    this.#log.info({ accountId, template: before.name, language: before.language, from: before.status, to: change.status }, 'template status changed');
  }

  async status(): Promise<TemplateCatalogStatus[]> {
    const result: TemplateCatalogStatus[] = [];
    for (const [accountId, state] of this.#accounts) {
      const stored = await this.#store.syncState(accountId);
      const entry: TemplateCatalogStatus = { ...(stored ?? { accountId, templateCount: 0 }), syncing: state.running !== undefined };
      if (state.rateLimitedUntil !== undefined && state.rateLimitedUntil > this.#now()) entry.rateLimitedUntil = state.rateLimitedUntil;
      if (state.nextSyncAt !== undefined) entry.nextSyncAt = state.nextSyncAt;
      result.push(entry);
    }
    return result;
  }

  /** Stops the schedule and waits for syncs in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const state of this.#accounts.values()) clearTimeout(state.timer);
    await Promise.allSettled([...this.#accounts.values()].map((state) => state.running));
  }

  async #runSync(state: AccountState): Promise<SyncResult> {
    const { accountId } = state.source;
    const startedAt = this.#now();
    clearTimeout(state.timer);
    let result: SyncResult;
    try {
      const listed = await this.#listAll(state.source);
      await this.#store.replaceAll(accountId, listed.definitions, startedAt);
      this.#install(state, listed.definitions);
      this.#onChanged(accountId);
      state.failures = 0;
      state.rateLimitPauseMs = RATE_LIMIT_PAUSE_MS.first;
      delete state.rateLimitedUntil;
      result = { ok: true, accountId, templates: listed.definitions.length, approved: state.approved.length, skipped: listed.problems };
      if (listed.problems.length > 0) this.#log.warn({ accountId, problems: listed.problems.slice(0, 20) }, `template sync skipped ${listed.problems.length} unreadable template(s)`);
      this.#log.info({ accountId, templates: result.templates, approved: result.approved, ms: this.#now() - startedAt }, 'templates synced');
      this.#schedule(state, this.#syncEveryMs);
    } catch (error) {
      const message = (error as Error).message;
      state.failures++;
      let retryInMs: number;
      if (error instanceof RateLimited) {
        retryInMs = state.rateLimitPauseMs;
        state.rateLimitedUntil = this.#now() + retryInMs;
        state.rateLimitPauseMs = Math.min(RATE_LIMIT_PAUSE_MS.max, state.rateLimitPauseMs * 2);
      } else {
        retryInMs = Math.min(this.#syncEveryMs, FAILURE_RETRY_MS.first * 2 ** Math.min(state.failures - 1, 10));
      }
      await this.#store.recordSyncFailure(accountId, startedAt, message).catch((storeError: unknown) => {
        this.#log.error({ err: storeError, accountId }, 'could not record a failed template sync');
      });
      const keeping = state.index ? `keeping the last good copy (${state.definitions.length} templates)` : 'template sends pass unvalidated until a sync succeeds';
      this.#log.warn({ accountId, error: message, retryInMs }, `template sync failed; ${keeping}`);
      this.#schedule(state, retryInMs);
      result = { ok: false, accountId, error: message, retryAt: this.#now() + retryInMs };
    }
    return result;
  }

  async #listAll(source: TemplateSource): Promise<{ definitions: TemplateDefinition[]; problems: string[] }> {
    const definitions: TemplateDefinition[] = [];
    const problems: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ fields: LIST_FIELDS, limit: String(TEMPLATE_PAGE_SIZE) });
      if (after) query.set('after', after);
      const outcome = await source.getJson(`${encodeURIComponent(source.wabaId)}/message_templates?${query.toString()}`);
      if (outcome.kind === 'transport') throw new Error(`Graph unreachable while listing templates: ${outcome.error}`);
      if (outcome.kind === 'rejected') {
        const text = `Graph refused the template listing: ${outcome.code}${outcome.subcode ? `/${outcome.subcode}` : ''} ${outcome.title}${outcome.detail ? ` (${outcome.detail})` : ''}`;
        throw RATE_LIMIT_CODES.has(outcome.code) ? new RateLimited(text) : new Error(text);
      }
      const listed = parseTemplateListPage(outcome.body);
      definitions.push(...listed.templates);
      problems.push(...listed.problems);
      if (!listed.nextAfter) return { definitions, problems };
      if (listed.nextAfter === after) throw new Error(`Graph's template listing repeated the cursor ${after}; stopping`);
      after = listed.nextAfter;
    }
    throw new Error(`Graph's template listing did not end after ${MAX_PAGES} pages`);
  }

  #install(state: AccountState, definitions: TemplateDefinition[]): void {
    state.definitions = definitions;
    state.index = new TemplateIndex(definitions);
    state.approved = definitions
      .filter((definition) => definition.status === 'APPROVED')
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  #parseStored(accountId: string, raws: readonly unknown[]): TemplateDefinition[] {
    const definitions: TemplateDefinition[] = [];
    for (const raw of raws) {
      const parsed = parseTemplateDefinition(raw);
      if ('error' in parsed) this.#log.warn({ accountId, error: parsed.error }, 'a stored template could not be read; it is ignored until the next sync');
      else definitions.push(parsed);
    }
    return definitions;
  }

  #schedule(state: AccountState, delayMs: number): void {
    // A removed (or replaced) account's state schedules nothing more.
    if (this.#closed || this.#accounts.get(state.source.accountId) !== state) return;
    clearTimeout(state.timer);
    state.nextSyncAt = this.#now() + delayMs;
    state.timer = setTimeout(() => this.#scheduledSync(state), delayMs);
    state.timer.unref();
  }

  /** The leader reads Meta; another replica re-reads the store the leader keeps current. */
  #scheduledSync(state: AccountState): void {
    if (this.#closed || this.#accounts.get(state.source.accountId) !== state) return;
    if (this.#isLeader()) {
      void this.sync(state.source.accountId);
      return;
    }
    void this.reload(state.source.accountId)
      .catch((error: unknown) => this.#log.warn({ err: error, accountId: state.source.accountId }, 'could not re-read the stored templates'))
      .finally(() => this.#schedule(state, this.#syncEveryMs));
  }
}

function freshState(source: TemplateSource): AccountState {
  return { source, definitions: [], approved: [], again: false, failures: 0, rateLimitPauseMs: RATE_LIMIT_PAUSE_MS.first, changedAt: new Map() };
}
