/**
 * @module pipeline/webhook-intake
 * Everything the gateway decides about one signed `POST` from Meta's webhook, without the HTTP
 * framework: the signature over the raw bytes, the JSON, which account each item belongs to,
 * and applying statuses, inbound messages and template updates. The fastify route and the lean
 * HTTP front (http/fast-route.ts) both carry its answer, so they cannot answer differently.
 *
 * An item is applied only for an account whose app secret signed the delivery. Everything applied
 * is committed before the answer, so a 200 means Meta need not send it again. Accounts change at
 * runtime, so they are looked up per delivery; a deleted account's statuses are still applied
 * (its last sends are reported to CleverTap), its inbound messages are not.
 *
 * Meta retries anything but a 200 for up to 7 days, so an item that cannot be understood (no id,
 * an unknown status, nesting 10,000 levels deep…) must not fail its delivery: it is logged in a
 * bounded line, kept for inspection (store/webhook-rejects.ts), and the delivery is acknowledged
 * with the good items in it applied. Only a failure of our own store answers 5xx, so that Meta
 * sends the delivery again. Parsing never throws (the parsers report what they skip), and the
 * items that are applied are canonical, bounded data, so what can still throw after parsing is
 * the store.
 */
import type { Logger } from 'pino';
import type { AccountDirectory, ResolvedAccount } from '../config/accounts.js';
import type { RejectedItemKind, RejectedWebhookItem, WebhookRejectLog } from '../store/webhook-rejects.js';
import { MAX_REJECT_ITEM_CHARS } from '../store/webhook-rejects.js';
import { boundedJson, clip, isRecord, type SkippedItem } from '../whatsapp/json-values.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../whatsapp/signature.js';
import { parseWebhookMessages, type ParsedMessages } from '../whatsapp/webhook-messages.js';
import { parseWebhookStatuses, type ParsedStatuses } from '../whatsapp/webhook-statuses.js';
import { parseWebhookTemplateUpdates, templateStatusAfter, type ParsedTemplateUpdates } from '../whatsapp/webhook-template-updates.js';
import type { InboundIngest } from './inbound-ingest.js';
import type { StatusIngest } from './status-ingest.js';
import type { TemplateStatusChange } from './template-catalog.js';

/** `body` is sent as JSON; `reason` becomes a problem body (`{"message","errors"}`, http/problem.ts). */
export type WebhookAnswer = { status: 200; body: string } | { status: 401; reason: string };

export interface WebhookIntakeOptions {
  accounts: AccountDirectory;
  statusIngest: StatusIngest;
  inboundIngest: InboundIngest;
  /** A template's status changed at Meta (`message_template_status_update`). */
  onTemplateStatus?(accountId: string, change: TemplateStatusChange): Promise<void>;
  /** Where items that cannot be understood are kept; without it they are only logged. */
  rejects?: WebhookRejectLog;
  log: Logger;
  /** Told deliveries refused and items received, by kind (the gateway's metrics). */
  observe?: WebhookObserver;
}

/** Kinds: `bad_signature` (a delivery refused), `status`, `message`, `template_update`, `rejected` (not understood), `foreign` (another app's number). */
export interface WebhookObserver {
  items(kind: 'bad_signature' | 'status' | 'message' | 'template_update' | 'rejected' | 'foreign', count: number): void;
}

export interface WebhookIntake {
  /** `requestId` is the HTTP request's id, carried by every log line this delivery writes. */
  handle(headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: unknown, requestId?: string | number): Promise<WebhookAnswer>;
}

const OK: WebhookAnswer = { status: 200, body: '{"status":"ok"}' };
const BAD_SIGNATURE: WebhookAnswer = { status: 401, reason: 'missing or invalid X-Hub-Signature-256' };
const EMPTY = Buffer.alloc(0);
/**
 * Rows kept from one delivery: a 256 KB body can hold 100,000 broken items, and a hundred of the
 * same mistake say as much as all of them (the last row kept says how many more there were).
 */
const MAX_KEPT_PER_DELIVERY = 100;
/** Longest id, reason or location written to a log line. */
const LOGGED_CHARS = 120;

export function createWebhookIntake(options: WebhookIntakeOptions): WebhookIntake {
  const { accounts, statusIngest, inboundIngest, onTemplateStatus, rejects, log: baseLog, observe } = options;

  return {
    async handle(headers, rawBody, requestId) {
      // A child logger only when this delivery logs: most write nothing.
      let child: Logger | undefined;
      const log = () => (requestId === undefined ? baseLog : (child ??= baseLog.child({ reqId: requestId })));
      const raw = Buffer.isBuffer(rawBody) ? rawBody : EMPTY;
      const header = headers[SIGNATURE_HEADER];
      const signature = Array.isArray(header) ? header[0] : header;
      const signedBy = new Set(accounts.appSecrets.filter((secret) => verifyWebhookSignature(secret, raw, signature)));
      if (signedBy.size === 0) {
        log().warn({ bytes: raw.length, hasSignature: Boolean(signature) }, 'webhook rejected: missing or invalid X-Hub-Signature-256');
        observe?.items('bad_signature', 1);
        return BAD_SIGNATURE;
      }
      const delivery = new Delivery(Date.now(), signedBy, accounts);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        // Signed, so it is Meta's: a 4xx would be retried for a week. Kept for inspection instead.
        const text = raw.toString('utf8', 0, Math.min(raw.length, MAX_REJECT_ITEM_CHARS));
        delivery.reject('delivery', { where: '', reason: 'the signed body is not JSON', item: text }, delivery.soleSigner(accounts.all));
        delivery.logSummary(log());
        delivery.count(observe);
        if (rejects) await rejects.record(delivery.kept);
        return OK;
      }
      if (!isRecord(body) || !Array.isArray(body['entry'])) {
        delivery.reject('delivery', { where: '', reason: 'no entry[] in the webhook body', item: body }, delivery.soleSigner(accounts.all));
      }

      const statuses = parseSafely(delivery, 'status', body, parseWebhookStatuses, { updates: [], problems: [], skipped: [] });
      for (const item of statuses.skipped) delivery.reject('status', item, delivery.accountFor(item.phoneNumberId));
      const applicable: Array<[accountId: string, update: (typeof statuses.updates)[number]]> = [];
      for (const update of statuses.updates) {
        const account = delivery.signedAccount('status', update.phoneNumberId, update);
        if (account) applicable.push([account.id, update]);
      }
      const inbound = parseSafely(delivery, 'message', body, parseWebhookMessages, { messages: [], problems: [], skipped: [] });
      for (const item of inbound.skipped) delivery.reject('message', item, delivery.accountFor(item.phoneNumberId));
      if (inbound.problems.length > inbound.skipped.length) {
        log().debug({ problems: inbound.problems.slice(0, 5).map((problem) => clip(problem, LOGGED_CHARS)) }, 'webhook messages passed on as unsupported');
      }
      // In order: a user's messages reach the inbox in the order they were written.
      for (const message of inbound.messages) {
        const account = delivery.signedAccount('message', message.accountPhoneNumberId, message);
        if (!account) continue;
        const target = {
          id: account.id,
          wabaNumber: account.wabaNumber,
          stopKeywords: account.clevertap.stopKeywords,
          startKeywords: account.clevertap.startKeywords,
          ...(account.clevertap.inboundMessageUrl ? { inboundMessageUrl: account.clevertap.inboundMessageUrl } : {}),
          ...(account.clevertap.upload ? { upload: { url: account.clevertap.upload.url } } : {}),
        };
        await inboundIngest.apply(target, message);
      }
      // Applied together, so their writes share one commit; the store keeps each message monotone
      // whatever the order within the batch.
      if (applicable.length === 1) await statusIngest.apply(applicable[0]![0], applicable[0]![1]);
      else if (applicable.length > 1) await Promise.all(applicable.map(([accountId, update]) => statusIngest.apply(accountId, update)));
      if (onTemplateStatus && raw.includes('message_template_status_update')) {
        const templates = parseSafely(delivery, 'template_update', body, parseWebhookTemplateUpdates, { updates: [], problems: [], skipped: [] });
        for (const item of templates.skipped) delivery.reject('template_update', item, delivery.signerOnWaba(accounts.byWabaId(item.wabaId ?? '')));
        // Template updates name the WABA (entry.id), not a phone number: every account on it is told.
        if (templates.updates.length > 0) observe?.items('template_update', templates.updates.length);
        for (const update of templates.updates) {
          // FLAGGED (a quality warning) and LOCKED (no edits) leave sending as it was.
          if (update.event === 'FLAGGED' || update.event === 'LOCKED') continue;
          for (const account of accounts.byWabaId(update.wabaId ?? '')) {
            if (!signedBy.has(account.whatsapp.appSecret)) continue;
            const change: TemplateStatusChange = { templateId: update.templateId, status: templateStatusAfter(update.event) };
            if (update.name !== undefined) change.name = update.name;
            if (update.language !== undefined) change.language = update.language;
            if (update.at !== undefined) change.at = update.at;
            await onTemplateStatus(account.id, change);
          }
        }
      }
      if (observe) {
        if (applicable.length > 0) observe.items('status', applicable.length);
        if (inbound.messages.length > 0) observe.items('message', inbound.messages.length);
        delivery.count(observe);
      }
      if (delivery.rejected > 0 || delivery.foreign > 0) {
        delivery.logSummary(log());
        // A store that cannot keep them fails the delivery (5xx): Meta sends it again, and what was
        // applied above is applied idempotently then.
        if (rejects && delivery.kept.length > 0) await rejects.record(delivery.kept);
      }
      return OK;
    },
  };
}

/**
 * What one delivery rejected and ignored. Rejected items are the ones nobody can use; ignored
 * ones are readable but for a phone number no account here owns (another app on the same WABA),
 * which Meta sends in normal operation and are only counted.
 */
class Delivery {
  readonly kept: RejectedWebhookItem[] = [];
  rejected = 0;
  /** Items for phone numbers no account here owns. */
  foreign = 0;
  #firstForeign: string | undefined;

  constructor(
    readonly receivedAt: number,
    readonly signedBy: ReadonlySet<string>,
    readonly accounts: Pick<AccountDirectory, 'byPhoneNumberId' | 'forWorkByPhoneNumberId'>,
  ) {}

  reject(kind: RejectedItemKind, skipped: SkippedItem, accountId: string | undefined): void {
    this.rejected += 1;
    if (this.kept.length >= MAX_KEPT_PER_DELIVERY) return;
    const item: RejectedWebhookItem = {
      receivedAt: this.receivedAt,
      kind,
      where: clip(skipped.where, 200),
      reason: clip(skipped.reason, 500),
      item: boundedJson(skipped.item, MAX_REJECT_ITEM_CHARS),
    };
    if (accountId !== undefined) item.accountId = accountId;
    if (this.kept.length === MAX_KEPT_PER_DELIVERY - 1) item.reason = clip(`${item.reason} (and every further rejected item of this delivery: see the log for the count)`, 500);
    this.kept.push(item);
  }

  /**
   * The account that owns `phoneNumberId`, when its app secret signed the delivery. An item for a
   * number another account owns, signed with someone else's secret, is rejected and kept: no
   * account may move another's messages.
   */
  signedAccount(kind: RejectedItemKind, phoneNumberId: string, item: unknown): ResolvedAccount | undefined {
    // Meta reports on what a deleted account sent: statuses still find it; anything else does not.
    const account = kind === 'status' ? this.accounts.forWorkByPhoneNumberId(phoneNumberId) : this.accounts.byPhoneNumberId(phoneNumberId);
    if (!account) {
      this.foreign += 1;
      this.#firstForeign ??= clip(phoneNumberId, LOGGED_CHARS);
      return undefined;
    }
    if (this.signedBy.has(account.whatsapp.appSecret)) return account;
    this.reject(kind, { where: '', reason: `phone_number_id ${clip(phoneNumberId, 40)} is not of an account whose app secret signed the delivery`, item }, account.id);
    return undefined;
  }

  /** The account an item is for, when its number belongs to an account that signed. */
  accountFor(phoneNumberId: string | undefined): string | undefined {
    const account = phoneNumberId === undefined ? undefined : this.accounts.byPhoneNumberId(phoneNumberId);
    return account && this.signedBy.has(account.whatsapp.appSecret) ? account.id : undefined;
  }

  signerOnWaba(accounts: readonly ResolvedAccount[] | undefined): string | undefined {
    return accounts?.find((account) => this.signedBy.has(account.whatsapp.appSecret))?.id;
  }

  /** The account that signed, when exactly one did. */
  soleSigner(accounts: readonly ResolvedAccount[]): string | undefined {
    const signers = accounts.filter((account) => this.signedBy.has(account.whatsapp.appSecret));
    return signers.length === 1 ? signers[0]!.id : undefined;
  }

  count(observe: WebhookObserver | undefined): void {
    if (this.rejected > 0) observe?.items('rejected', this.rejected);
    if (this.foreign > 0) observe?.items('foreign', this.foreign);
  }

  logSummary(log: Logger): void {
    if (this.foreign > 0) log.warn({ items: this.foreign, phoneNumberId: this.#firstForeign }, 'webhook items for a phone number id no account uses; ignored');
    if (this.rejected === 0) return;
    const first = this.kept[0]!;
    log.warn(
      { rejected: this.rejected, kept: this.kept.length, first: { kind: first.kind, where: clip(first.where, LOGGED_CHARS), reason: clip(first.reason, LOGGED_CHARS), accountId: first.accountId } },
      'webhook items that could not be understood were kept for inspection and acknowledged',
    );
  }
}

/**
 * Runs a parser that is written never to throw; should it throw anyway, the whole body is kept as
 * one rejected item of that kind and the other parsers still run.
 */
function parseSafely<T extends ParsedStatuses | ParsedMessages | ParsedTemplateUpdates>(
  delivery: Delivery,
  kind: RejectedItemKind,
  body: unknown,
  parse: (body: unknown) => T,
  empty: T,
): T {
  try {
    return parse(body);
  } catch (error) {
    delivery.reject(kind, { where: '', reason: `unreadable (${error instanceof Error ? error.name : 'error'})`, item: body }, undefined);
    return empty;
  }
}
