/**
 * @module sim/meta/webhook-sender
 * Delivers webhooks (statuses, injected inbound messages and WABA-level changes such as
 * `message_template_status_update`) the way Meta does: statuses of one sending number are batched into
 * one `entry/changes/value.statuses[]` POST, the body is serialised with Meta's escaping
 * (non-ASCII as lowercase `\uXXXX`, `/` as `\/`) and signed over those exact bytes, and any
 * non-2xx or network error is retried with exponential backoff until a maximum age. The clock
 * is compressed (Meta retries for days) so tests and demos see recovery within seconds.
 */
import { createHmac } from 'node:crypto';
import { Pool } from 'undici';
import { signWebhookBody } from '../../whatsapp/signature.js';
import { MinHeap } from './heap.js';
import { RecordLog } from '../record-log.js';

export interface WebhookRetryOptions {
  initialMs: number;
  factor: number;
  maxMs: number;
  /** Give up on a delivery this long after its first attempt. */
  maxAgeMs: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryOptions = { initialMs: 250, factor: 2, maxMs: 10_000, maxAgeMs: 3_600_000 };

export interface WebhookDeliveryRecord {
  attempt: number;
  ok: boolean;
  /** HTTP status, or 0 for a network error/timeout. */
  status: number;
  /** How many statuses the POST carried. */
  statuses: number;
  /** How many inbound messages the POST carried (absent for status POSTs). */
  messages?: number;
  /** The change's `field` when it is not `messages`, e.g. `message_template_status_update`. */
  field?: string;
  at: number;
  /** Set on the last failed attempt of a delivery that exceeded the max age. */
  gaveUp?: boolean;
}

/** The sender's identity as it appears in `entry[].id` and `value.metadata`. */
export interface WebhookSource {
  phoneNumberId: string;
  displayPhoneNumber: string;
  wabaId: string;
}

interface Delivery {
  body: Buffer;
  sig256: string;
  sig1: string;
  statuses: number;
  messages: number;
  field: string | undefined;
  attempt: number;
  firstAt: number;
  due: number;
}

interface Batch {
  source: WebhookSource;
  statuses: object[];
  timer: NodeJS.Timeout | undefined;
}

export interface WebhookSenderOptions {
  appSecret: string;
  url: string | undefined;
  batch: { maxStatuses: number; lingerMs: number };
  retry: WebhookRetryOptions;
  /** Concurrent POSTs in flight (Meta delivers concurrently, so ordering is not guaranteed). */
  concurrency?: number;
  timeoutMs?: number;
  recordLimit: number;
}

const NON_ASCII = /[\u007f-\uffff]/g;
const SLASH = /\//g;

/** JSON exactly as Meta puts it on the wire. */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(NON_ASCII, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
    .replace(SLASH, '\\/');
}

export class WebhookSender {
  private url: URL | undefined;
  private pool: Pool | undefined;
  private readonly batches = new Map<string, Batch>();
  private readonly ready: Delivery[] = [];
  private readonly retries = new MinHeap<Delivery>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryTimerDue = Infinity;
  private inFlight = 0;
  private closed = false;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  readonly log: RecordLog<WebhookDeliveryRecord>;
  okCount = 0;
  failedCount = 0;
  gaveUpCount = 0;

  constructor(private readonly opts: WebhookSenderOptions) {
    this.concurrency = opts.concurrency ?? 32;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.log = new RecordLog(opts.recordLimit);
    this.setUrl(opts.url);
  }

  /** The configured receiver URL, if any. */
  get currentUrl(): string | undefined {
    return this.url?.href;
  }

  setUrl(url: string | undefined): void {
    const old = this.pool;
    this.url = url ? new URL(url) : undefined;
    this.pool = this.url
      ? new Pool(this.url.origin, {
          connections: this.concurrency,
          keepAliveTimeout: 10_000,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        })
      : undefined;
    if (old) void old.close().catch(() => undefined);
    // A new URL usually means the receiver is (back) up: try everything waiting right away.
    for (const d of this.retries.drain()) this.ready.push(d);
    this.pump();
  }

  /** Queues one status of `source`'s number; POSTed when the batch fills or lingers long enough. */
  enqueue(source: WebhookSource, status: object): void {
    if (this.closed) return;
    let batch = this.batches.get(source.phoneNumberId);
    if (!batch) {
      batch = { source, statuses: [], timer: undefined };
      this.batches.set(source.phoneNumberId, batch);
    }
    batch.statuses.push(status);
    if (batch.statuses.length >= this.opts.batch.maxStatuses) {
      this.flush(batch);
    } else if (!batch.timer) {
      const b = batch;
      batch.timer = setTimeout(() => this.flush(b), this.opts.batch.lingerMs);
    }
  }

  /** Deliveries not yet acknowledged: unflushed batches, queued, in flight or waiting to retry. */
  pending(): number {
    let unflushed = 0;
    for (const b of this.batches.values()) if (b.statuses.length > 0) unflushed++;
    return unflushed + this.ready.length + this.inFlight + this.retries.size;
  }

  reset(): void {
    for (const b of this.batches.values()) if (b.timer) clearTimeout(b.timer);
    this.batches.clear();
    this.ready.length = 0;
    this.retries.drain();
    this.log.clear();
    this.okCount = this.failedCount = this.gaveUpCount = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reset();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.destroy().catch(() => undefined);
  }

  private flush(batch: Batch): void {
    if (batch.timer) {
      clearTimeout(batch.timer);
      batch.timer = undefined;
    }
    if (batch.statuses.length === 0) return;
    const statuses = batch.statuses;
    batch.statuses = [];
    this.queue(batch.source, { statuses }, statuses.length, 0);
  }

  /**
   * Queues one POST right away with `value` merged into the `messages` change (e.g.
   * `{contacts, messages}` for an inbound message). Meta does not batch inbound messages with
   * statuses, so neither does the simulator.
   */
  deliverNow(source: WebhookSource, value: Record<string, unknown>, messages: number): void {
    if (this.closed) return;
    this.queue(source, value, 0, messages);
  }

  /**
   * Queues one POST right away carrying one WABA-level change (`field` other than `messages`):
   * `entry[{id: wabaId, time: <int seconds>, changes[{value, field}]}]`, no `metadata`, as Meta
   * sends `message_template_status_update` and the other account fields. Signed and retried
   * like status webhooks.
   */
  deliverChange(wabaId: string, field: string, value: Record<string, unknown>, nowMs = Date.now()): void {
    if (this.closed) return;
    const envelope = {
      object: 'whatsapp_business_account',
      entry: [{ id: wabaId, time: Math.floor(nowMs / 1000), changes: [{ value, field }] }],
    };
    this.push(envelope, 0, 0, field);
  }

  private queue(s: WebhookSource, value: Record<string, unknown>, statuses: number, messages: number): void {
    const envelope = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: s.wabaId,
          changes: [
            {
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: s.displayPhoneNumber, phone_number_id: s.phoneNumberId },
                ...value,
              },
              field: 'messages',
            },
          ],
        },
      ],
    };
    this.push(envelope, statuses, messages, undefined);
  }

  private push(envelope: object, statuses: number, messages: number, field: string | undefined): void {
    const body = Buffer.from(metaJson(envelope), 'latin1');
    const now = Date.now();
    this.ready.push({
      body,
      sig256: signWebhookBody(this.opts.appSecret, body),
      sig1: 'sha1=' + createHmac('sha1', this.opts.appSecret).update(body).digest('hex'),
      statuses,
      messages,
      field,
      attempt: 0,
      firstAt: now,
      due: now,
    });
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.pool && this.url && this.inFlight < this.concurrency && this.ready.length > 0) {
      const d = this.ready.shift() as Delivery;
      this.inFlight++;
      void this.attempt(d, this.pool, this.url);
    }
  }

  private async attempt(d: Delivery, pool: Pool, url: URL): Promise<void> {
    d.attempt++;
    let status = 0;
    try {
      const res = await pool.request({
        path: url.pathname + url.search,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'facebookexternalua',
          'x-hub-signature-256': d.sig256,
          'x-hub-signature': d.sig1,
        },
        body: d.body,
      });
      status = res.statusCode;
      await res.body.dump();
    } catch {
      status = 0;
    }
    this.inFlight--;
    if (this.closed) return;
    const now = Date.now();
    const ok = status >= 200 && status < 300;
    const record: WebhookDeliveryRecord = { attempt: d.attempt, ok, status, statuses: d.statuses, at: now };
    if (d.messages > 0) record.messages = d.messages;
    if (d.field !== undefined) record.field = d.field;
    if (ok) {
      this.okCount++;
    } else {
      this.failedCount++;
      const r = this.opts.retry;
      const delay = Math.min(r.maxMs, r.initialMs * r.factor ** (d.attempt - 1));
      if (now + delay - d.firstAt > r.maxAgeMs) {
        record.gaveUp = true;
        this.gaveUpCount++;
      } else {
        d.due = now + delay;
        this.retries.push(d);
        this.armRetryTimer();
      }
    }
    this.log.push(record);
    this.pump();
  }

  private armRetryTimer(): void {
    const due = this.retries.peekDue();
    if (due === undefined || due >= this.retryTimerDue) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimerDue = due;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retryTimerDue = Infinity;
      const now = Date.now();
      for (let d = this.retries.popDue(now); d; d = this.retries.popDue(now)) this.ready.push(d);
      this.pump();
      this.armRetryTimer();
    }, Math.max(0, due - Date.now()));
  }
}
