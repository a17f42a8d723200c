/**
 * What the webhook bench sends: Meta status webhooks (meta-cloud-api.md §3.3/§3.4) for messages
 * the gateway really sent, in a fixed schedule both targets receive byte for byte.
 *
 * The schedule is a sequence of status slots, slot k due at start + k / rate. Slot k belongs to
 * "column" j = ⌊k / 3⌋ and stage s = k mod 3 (sent, delivered, read) and carries stage s of
 * message j − s·D, where D = gap × rate / 3. So every message gets `sent`, then `delivered` one
 * gap later, then `read` one gap after that — in order, as a real recipient would produce them,
 * and far enough apart that the gateway has committed the previous stage (a `delivered` applied
 * before its `sent` would make the gateway report both at once, and the lag of the `sent` report
 * would be measured against the wrong webhook). Slots whose message index would be negative are
 * left out, so the offered rate ramps up over the first 2 × gap: the warm-up must cover that.
 *
 * Consecutive slots are packed into POSTs of 1–5 statuses (uniform, from a seeded generator, so
 * the baseline and the gateway receive identical bodies) or one status per POST.
 */
import { createHmac } from 'node:crypto';

export const STAGES = ['sent', 'delivered', 'read'] as const;
export type Stage = (typeof STAGES)[number];

/** One preloaded message: what the gateway sent and what the simulator answered. */
export interface PoolMessage {
  /** CleverTap's msgId (what the delivery reports carry). */
  msgId: string;
  /** Recipient digits. */
  to: string;
  wamid: string;
  /** The gateway's own message id, echoed by Meta as `biz_opaque_callback_data`. */
  biz: string;
}

export interface WebhookSource {
  appSecret: string;
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
}

export type BatchMode = 'batch' | 'single';

export interface ScheduleOptions {
  rate: number;
  /** Seconds of load before measuring starts (included in the schedule). */
  warmupSeconds: number;
  durationSeconds: number;
  /** Seconds between a message's sent, delivered and read. */
  gapSeconds: number;
  mode: BatchMode;
  /** Largest batch in `batch` mode (sizes are uniform in 1..maxBatch). */
  maxBatch: number;
  seed: number;
}

/** A status in the schedule: which message (index within the invocation's pool range) and stage. */
export interface ScheduledStatus {
  message: number;
  stage: 0 | 1 | 2;
}

export interface ScheduledPost {
  /** Offset from the start of the run, in ms, when the POST is due (its last status's slot). */
  dueOffsetMs: number;
  statuses: ScheduledStatus[];
}

/** Messages an invocation with these options touches (indices 0 … n−1 of its pool range). */
export function messagesNeeded(options: Pick<ScheduleOptions, 'rate' | 'warmupSeconds' | 'durationSeconds'>): number {
  return Math.ceil(slotCount(options) / 3) + 1;
}

function slotCount(options: Pick<ScheduleOptions, 'rate' | 'warmupSeconds' | 'durationSeconds'>): number {
  return Math.ceil((options.warmupSeconds + options.durationSeconds) * options.rate);
}

export function gapMessages(options: Pick<ScheduleOptions, 'rate' | 'gapSeconds'>): number {
  return Math.max(1, Math.round((options.gapSeconds * options.rate) / 3));
}

/** mulberry32: small, fast, seeded; the same seed gives both targets the same batches. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildSchedule(options: ScheduleOptions): ScheduledPost[] {
  const slots = slotCount(options);
  const gap = gapMessages(options);
  const intervalMs = 1000 / options.rate;
  const random = seededRandom(options.seed);
  const posts: ScheduledPost[] = [];
  let current: ScheduledStatus[] = [];
  let size = 0;
  const nextSize = () => (options.mode === 'single' ? 1 : 1 + Math.floor(random() * options.maxBatch));
  size = nextSize();
  for (let k = 0; k < slots; k++) {
    const stage = (k % 3) as 0 | 1 | 2;
    const message = Math.floor(k / 3) - stage * gap;
    if (message < 0) continue;
    current.push({ message, stage });
    if (current.length >= size) {
      posts.push({ dueOffsetMs: k * intervalMs, statuses: current });
      current = [];
      size = nextSize();
    }
  }
  if (current.length > 0) posts.push({ dueOffsetMs: (slots - 1) * intervalMs, statuses: current });
  return posts;
}

/**
 * The body Meta would POST, and its signature. Shaped like a v23 webhook: `sent` and `delivered`
 * carry conversation and pricing, `read` does not; every status echoes biz_opaque_callback_data.
 */
export function buildWebhook(source: WebhookSource, items: Array<{ message: PoolMessage; stage: Stage }>, epochSeconds: number): { body: Buffer; signature: string } {
  const timestamp = String(epochSeconds);
  const statuses = items.map(({ message, stage }) => {
    const status: Record<string, unknown> = {
      id: message.wamid,
      status: stage,
      timestamp,
      recipient_id: message.to,
      biz_opaque_callback_data: message.biz,
    };
    if (stage !== 'read') {
      const conversation: Record<string, unknown> = { id: conversationId(message.to), origin: { type: 'marketing' } };
      if (stage === 'sent') conversation.expiration_timestamp = String(epochSeconds + 86_400);
      status.conversation = conversation;
      status.pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' };
    }
    return status;
  });
  const envelope = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: source.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: source.displayPhoneNumber, phone_number_id: source.phoneNumberId },
              statuses,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
  // Meta escapes "/" as "\/"; the bodies are ASCII, so this is byte-for-byte Meta's form.
  const body = Buffer.from(JSON.stringify(envelope).replace(/\//g, '\\/'), 'utf8');
  return { body, signature: `sha256=${createHmac('sha256', source.appSecret).update(body).digest('hex')}` };
}

function conversationId(to: string): string {
  return createHmac('sha256', 'conversation').update(to).digest('hex').slice(0, 32);
}

/** Key under which the CleverTap receiver records a delivery report. */
export const reportKey = (msgId: string, status: string) => `${msgId}\t${status}`;
