/**
 * @module sim/meta/core
 * The simulator's state and its send path, independent of HTTP wiring: auth → sender lookup →
 * throughput bucket → validation → magic recipients → pair bucket → accept, then the lifecycle
 * plan for the status webhooks. Everything here runs on the hot path of gateway benchmarks, so
 * it avoids per-request allocations beyond the response body itself.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_TEMPLATES, type SeedTemplate, type TemplateStatus } from './default-templates.js';
import { checkAuth } from './auth.js';
import {
  Rejection,
  unknownObjectError,
  whatsappError,
  type GraphErrorReply,
  type HttpStatusMode,
} from './errors.js';
import { Chaos } from './chaos.js';
import { buildInbound, type InboundInput } from './inbound.js';
import { DEFAULT_STATUS_DELAYS, Lifecycle, type LifecyclePlan } from './lifecycle.js';
import { magicFor } from './magic.js';
import { MediaStore } from './media.js';
import { PAIR_BURST, PAIR_REFILL_PER_MS, TokenBuckets } from './rate-limits.js';
import { RecordLog } from '../record-log.js';
import { TEMPLATE_STATUS_FIELD, templateStatusValue, type TemplateStatusDetails } from './template-events.js';
import { TemplateStore, type StoredTemplate } from './templates.js';
import { TruthLog } from './truth.js';
import type { AcceptedSend, MetaSimulatorOptions, RejectedSend, SimPhoneNumber, SimStats } from './types.js';
import { validateSend } from './validate-send.js';
import { DEFAULT_WEBHOOK_RETRY, WebhookSender } from './webhook-sender.js';
import { CUSTOMER_WINDOW_MS, CustomerWindows } from './windows.js';

export const DEFAULT_MPS = 80;
const DEFAULT_RECORD_LIMIT = 500_000;

export interface Reply {
  status: number;
  body: unknown;
}

/** Meta's budget for a WABA with a registered number: 5,000 management calls an hour. */
export const DEFAULT_MANAGEMENT_RATE_LIMIT = { calls: 5_000, windowMs: 3_600_000 };

export class SimCore {
  readonly phones = new Map<string, Required<SimPhoneNumber>>();
  readonly wabas = new Set<string>();
  templates: TemplateStore;
  readonly media: MediaStore;
  readonly acceptedLog: RecordLog<AcceptedSend>;
  readonly rejectedLog: RecordLog<RejectedSend>;
  readonly rejectedByCode = new Map<number, number>();
  readonly webhooks: WebhookSender;
  readonly lifecycle: Lifecycle;
  readonly windows: CustomerWindows;
  readonly chaos: Chaos;
  readonly truth: TruthLog;
  private readonly throughput: TokenBuckets;
  private readonly pair: TokenBuckets;
  /** WABA management calls (template listing): Meta's per-WABA hourly budget, → 80007. */
  private readonly management: TokenBuckets;
  managementCalls = 0;
  private readonly seedTemplates: readonly SeedTemplate[];
  readonly accessToken: string;
  readonly mode: HttpStatusMode;
  private readonly pairLimit: boolean;
  private readonly enforceWindow: boolean;
  private readonly wamidTag: string;
  private wamidSeq = 0;
  /** Times each template (by id) has been paused, for FIRST_PAUSE / SECOND_PAUSE. */
  private readonly pauses = new Map<string, number>();

  constructor(opts: MetaSimulatorOptions) {
    if (opts.phoneNumbers.length === 0) throw new Error('MetaSimulator needs at least one phone number');
    for (const p of opts.phoneNumbers) this.addPhoneNumber(p);
    this.accessToken = opts.accessToken;
    this.mode = opts.httpStatusMode ?? 'observed';
    this.pairLimit = opts.pairRateLimit ?? true;
    const budget = opts.managementRateLimit ?? DEFAULT_MANAGEMENT_RATE_LIMIT;
    this.management = new TokenBuckets(() => budget.calls, () => budget.calls / budget.windowMs);
    this.enforceWindow = opts.enforceCustomerWindow ?? false;
    this.windows = new CustomerWindows(opts.openWindows ?? [], opts.customerWindowMs ?? CUSTOMER_WINDOW_MS);
    this.seedTemplates = opts.templates ?? DEFAULT_TEMPLATES;
    this.templates = new TemplateStore(this.seedTemplates);
    this.media = new MediaStore(opts.mediaUrlTtlMs ?? 5 * 60_000);
    const limit = opts.recordLimit ?? DEFAULT_RECORD_LIMIT;
    this.acceptedLog = new RecordLog(limit);
    this.rejectedLog = new RecordLog(limit);
    const batch = opts.webhookBatch ?? { maxStatuses: 100, lingerMs: 50 };
    // A duplicate meant for another POST must wait out the batch linger.
    this.chaos = new Chaos(opts.chaos, batch.lingerMs + 20);
    this.truth = new TruthLog(limit);
    this.webhooks = new WebhookSender({
      appSecret: opts.appSecret,
      url: opts.webhookUrl,
      batch,
      retry: { ...DEFAULT_WEBHOOK_RETRY, ...opts.webhookRetry },
      recordLimit: limit,
      ...(opts.webhookConcurrency !== undefined ? { concurrency: opts.webhookConcurrency } : {}),
    });
    this.lifecycle = new Lifecycle(
      (source, status, duplicate) => {
        if (!duplicate) this.recordTruth(status);
        this.webhooks.enqueue(source, status);
      },
      opts.statusDelays ?? DEFAULT_STATUS_DELAYS,
      opts.offlineDeliveryMs ?? 60_000,
      opts.tickMs ?? 10,
      (steps, gapMs) => this.chaos.shape(steps, gapMs),
    );
    const mps = (key: string) => this.phones.get(key)?.messagesPerSecond ?? DEFAULT_MPS;
    this.throughput = new TokenBuckets(mps, (key) => mps(key) / 1000);
    this.pair = new TokenBuckets(
      () => PAIR_BURST,
      () => PAIR_REFILL_PER_MS,
    );
    // Four random bytes keep wamids unique across simulator restarts against one gateway DB.
    this.wamidTag = randomBytes(4).toString('hex').toUpperCase();
  }

  /** Serves `phone` from now on (or updates the number it serves under that id). */
  addPhoneNumber(phone: SimPhoneNumber): void {
    this.phones.set(phone.phoneNumberId, { ...phone, messagesPerSecond: phone.messagesPerSecond ?? DEFAULT_MPS });
    this.wabas.add(phone.wabaId);
  }

  /** `POST /{version}/{phone-number-id}/messages`. */
  send(version: string, phoneNumberId: string, authorization: string | undefined, queryToken: unknown, body: unknown): Reply {
    const authError = checkAuth(authorization, queryToken, this.accessToken);
    if (authError) return this.reject(phoneNumberId, body, authError);
    const phone = this.phones.get(phoneNumberId);
    if (!phone) return this.reject(phoneNumberId, body, unknownObjectError(phoneNumberId, 'post'));
    const now = Date.now();
    if (!this.throughput.take(phoneNumberId, now)) return this.reject(phoneNumberId, body, whatsappError(130429, undefined, this.mode));

    let valid;
    try {
      valid = validateSend(body, this.templates);
    } catch (e) {
      if (e instanceof Rejection) return this.reject(phoneNumberId, body, whatsappError(e.code, e.details, this.mode));
      throw e;
    }
    if (valid.kind === 'read') return { status: 200, body: { success: true } };

    const magic = magicFor(valid.waId);
    if (magic?.kind === 'sync') return this.reject(phoneNumberId, body, whatsappError(magic.code, undefined, this.mode));
    if (this.pairLimit && !this.pair.take(phoneNumberId + ':' + valid.waId, now)) {
      return this.reject(phoneNumberId, body, whatsappError(131056, undefined, this.mode));
    }

    const wamid = this.newWamid(valid.waId);
    this.acceptedLog.push({
      wamid,
      phoneNumberId,
      to: valid.to,
      waId: valid.waId,
      body,
      bizOpaqueCallbackData: valid.bizOpaqueCallbackData,
      at: now,
    });
    this.truth.accepted(wamid, valid.waId, valid.bizOpaqueCallbackData);

    let plan: LifecyclePlan = magic ?? { kind: 'normal' };
    const isTemplate = valid.template !== undefined;
    if (plan.kind !== 'failed') {
      if (this.enforceWindow && !isTemplate && !this.windows.isOpen(phoneNumberId, valid.waId, now)) plan = { kind: 'failed', code: 131047 };
      else if (valid.mediaId !== undefined && !this.media.get(valid.mediaId)) {
        plan = { kind: 'failed', code: 131053, details: `Media ID ${valid.mediaId} is invalid or has expired.` };
      }
    }
    this.lifecycle.schedule(
      {
        wamid,
        source: phone,
        waId: valid.waId,
        bizOpaqueCallbackData: valid.bizOpaqueCallbackData,
        category: valid.template ? valid.template.category.toLowerCase() : 'service',
        free: !isTemplate,
        withConversation: majorVersion(version) < 24,
        acceptedAt: now,
      },
      plan,
    );

    const message: Record<string, string> = { id: wamid };
    if (isTemplate) message.message_status = 'accepted';
    return {
      status: 200,
      body: { messaging_product: 'whatsapp', contacts: [{ input: valid.to, wa_id: valid.waId }], messages: [message] },
    };
  }

  /**
   * Delivers an inbound user message as a signed `messages[]` webhook (possibly twice, under
   * the duplicate knob) and opens/refreshes the customer-service window it implies.
   */
  injectInbound(input: InboundInput): { wamid: string; mediaId?: string } {
    const phoneNumberId = input.phoneNumberId ?? (this.phones.keys().next().value as string);
    const phone = this.phones.get(phoneNumberId);
    if (!phone) throw new RangeError(`unknown phoneNumberId ${phoneNumberId}`);
    const now = Date.now();
    const built = buildInbound(input, {
      displayPhoneNumber: phone.displayPhoneNumber,
      wamid: this.newWamid(String(input.from ?? '').replace(/\D/g, '')),
      nowMs: now,
      addMedia: (bytes, mimeType, filename) => this.media.add(bytes, mimeType, phoneNumberId, filename),
      getMedia: (id) => this.media.get(id),
    });
    // System notices are not user messages, so they do not open a window.
    if (input.type !== 'system') this.windows.touch(phoneNumberId, built.waId, now);
    const value = { contacts: built.contacts, messages: [built.message] };
    for (let copies = 1 + this.chaos.inboundCopies(); copies > 0; copies--) this.webhooks.deliverNow(phone, value, 1);
    const wamid = built.message.id as string;
    return built.mediaId === undefined ? { wamid } : { wamid, mediaId: built.mediaId };
  }

  /**
   * Sets a template's status. When it actually changes, every WABA the simulator hosts gets a
   * signed `message_template_status_update` webhook (the store is shared by all of them).
   * Undefined when there is no template with that id.
   */
  setTemplateStatus(
    id: string,
    status: TemplateStatus,
    details: TemplateStatusDetails = {},
  ): { template: StoredTemplate; changed: boolean } | undefined {
    const template = this.templates.byTemplateId(id);
    if (!template) return undefined;
    const previous = template.status;
    if (previous === status) return { template, changed: false };
    this.templates.setStatus(id, status);
    this.emitTemplateStatus(template, previous, details);
    return { template, changed: true };
  }

  /**
   * Adds a template or replaces the one with the same name and language. Replacing one with a
   * different status emits the webhook as `setTemplateStatus` does; a new template emits
   * nothing, since there was no status to change from.
   */
  upsertTemplate(seed: SeedTemplate, details: TemplateStatusDetails = {}): StoredTemplate {
    const previous = this.templates.exact(seed.name, seed.language)?.status;
    const template = this.templates.upsert(seed);
    if (previous !== undefined && previous !== template.status) this.emitTemplateStatus(template, previous, details);
    return template;
  }

  private emitTemplateStatus(template: StoredTemplate, previous: TemplateStatus, details: TemplateStatusDetails): void {
    let pauses = this.pauses.get(template.id) ?? 0;
    if (template.status === 'PAUSED') this.pauses.set(template.id, ++pauses);
    const now = Date.now();
    const value = templateStatusValue(template, previous, details, pauses, now);
    for (const wabaId of this.wabas) this.webhooks.deliverChange(wabaId, TEMPLATE_STATUS_FIELD, value, now);
  }

  /** Counts a WABA management call; false when the WABA's budget is spent (answer 80007). */
  takeManagementCall(wabaId: string, now = Date.now()): boolean {
    this.managementCalls++;
    return this.management.take(wabaId, now);
  }

  stats(): SimStats {
    const byCode: Record<string, number> = {};
    for (const [code, n] of this.rejectedByCode) byCode[String(code)] = n;
    return {
      accepted: this.acceptedLog.total,
      rejected: { total: this.rejectedLog.total, byCode },
      webhooks: {
        ok: this.webhooks.okCount,
        failed: this.webhooks.failedCount,
        gaveUp: this.webhooks.gaveUpCount,
        pending: this.webhooks.pending(),
      },
      scheduledStatuses: this.lifecycle.pending(),
      managementCalls: this.managementCalls,
    };
  }

  /** A number's throughput from now on; false for an unknown number. */
  setMessagesPerSecond(phoneNumberId: string, mps: number): boolean {
    const phone = this.phones.get(phoneNumberId);
    if (!phone) return false;
    phone.messagesPerSecond = mps;
    return true;
  }

  reset(): void {
    this.acceptedLog.clear();
    this.rejectedLog.clear();
    this.rejectedByCode.clear();
    this.lifecycle.reset();
    this.webhooks.reset();
    this.throughput.clear();
    this.pair.clear();
    this.media.reset();
    this.templates = new TemplateStore(this.seedTemplates);
    this.pauses.clear();
    this.truth.clear();
    this.chaos.reseed();
  }

  async close(): Promise<void> {
    this.lifecycle.stop();
    await this.webhooks.close();
  }

  private recordTruth(status: Record<string, unknown>): void {
    const errors = status.errors as { code: number }[] | undefined;
    this.truth.emitted(status.id as string, status.status as string, errors?.[0]?.code);
  }

  private reject(phoneNumberId: string, body: unknown, err: GraphErrorReply): Reply {
    const to = typeof body === 'object' && body !== null ? (body as { to?: unknown }).to : undefined;
    const record: RejectedSend = { phoneNumberId, code: err.code, status: err.status, body, error: err.body, at: Date.now() };
    if (typeof to === 'string') record.to = to;
    this.rejectedLog.push(record);
    this.rejectedByCode.set(err.code, (this.rejectedByCode.get(err.code) ?? 0) + 1);
    return { status: err.status, body: err.body };
  }

  /**
   * Real wamids are base64 of a small protobuf-like record: 0x1c 0x18 <len> <wa_id ascii>
   * 0x15 0x02 0x00 0x11 0x18 0x12 <18 uppercase hex chars> 0x00. Same layout, unique tail.
   */
  private newWamid(waId: string): string {
    const seq = (this.wamidSeq++).toString(16).toUpperCase().padStart(10, '0').slice(-10);
    const raw =
      '\x1c\x18' + String.fromCharCode(waId.length) + waId + '\x15\x02\x00\x11\x18\x12' + this.wamidTag + seq + '\x00';
    return 'wamid.' + Buffer.from(raw, 'latin1').toString('base64');
  }
}

function majorVersion(version: string): number {
  return Number.parseInt(version.slice(1), 10);
}
