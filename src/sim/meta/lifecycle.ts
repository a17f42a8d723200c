/**
 * @module sim/meta/lifecycle
 * Turns each accepted send into its status webhooks (sent → delivered → read, or failed) at
 * the configured offsets. All pending statuses live in one min-heap drained by one interval
 * timer, so 20,000 sends a minute cost three heap entries each instead of three timers.
 */
import { createHash } from 'node:crypto';
import { asyncError } from './errors.js';
import type { PlannedStatus } from './chaos.js';
import { MinHeap } from './heap.js';
import type { WebhookSource } from './webhook-sender.js';

export interface StatusDelays {
  sentMs: number;
  deliveredMs: number;
  /** `null`: recipients never read. */
  readMs: number | null;
}

export const DEFAULT_STATUS_DELAYS: StatusDelays = { sentMs: 200, deliveredMs: 1000, readMs: 2000 };

/** What happens to one accepted message after the 200. */
export type LifecyclePlan =
  | { kind: 'normal' }
  | { kind: 'offline' }
  | { kind: 'no-read' }
  | { kind: 'blocked' }
  | { kind: 'failed'; code: number; details?: string };

export interface TrackedMessage {
  wamid: string;
  source: WebhookSource;
  waId: string;
  bizOpaqueCallbackData?: string | undefined;
  /** Lowercase pricing category: marketing, utility, authentication or service. */
  category: string;
  /** Free-form replies inside the customer-service window are free. */
  free: boolean;
  /** Graph v24+ dropped `conversation` from status webhooks. */
  withConversation: boolean;
  acceptedAt: number;
}

interface Event extends PlannedStatus {
  msg: TrackedMessage;
}

/** Rewrites a message's planned statuses (the chaos knobs); identity when chaos is off. */
export type PlanShaper = (steps: PlannedStatus[], gapMs: number) => PlannedStatus[];

const DAY_S = 86_400;

export class Lifecycle {
  private readonly heap = new MinHeap<Event>();
  private interval: NodeJS.Timeout | undefined;

  constructor(
    /** `duplicate` marks a chaos copy of a status already emitted. */
    private readonly emit: (source: WebhookSource, status: Record<string, unknown>, duplicate: boolean) => void,
    private delays: StatusDelays,
    private readonly offlineDeliveryMs: number,
    private readonly tickMs: number,
    private readonly shape: PlanShaper = (steps) => steps,
  ) {}

  setDelays(delays: StatusDelays): void {
    this.delays = delays;
  }

  schedule(msg: TrackedMessage, plan: LifecyclePlan): void {
    const d = this.delays;
    const steps = this.shape(this.plan(msg.acceptedAt, plan), Math.max(1, d.deliveredMs - d.sentMs));
    for (const step of steps) this.push({ ...step, msg });
  }

  /** The statuses Meta would emit for `plan`, at offsets from acceptance. */
  private plan(t0: number, plan: LifecyclePlan): PlannedStatus[] {
    const d = this.delays;
    const at = (status: PlannedStatus['status'], due: number): PlannedStatus => ({ status, due, eventAt: due });
    const sentAt = t0 + d.sentMs;
    if (plan.kind === 'failed') return [{ ...at('failed', sentAt), code: plan.code, details: plan.details }];
    const steps = [at('sent', sentAt)];
    if (plan.kind === 'blocked') return steps;
    // Offsets are from acceptance; clamping keeps the order monotone whatever the options say.
    let deliveredAt = Math.max(sentAt, t0 + d.deliveredMs);
    if (plan.kind === 'offline') deliveredAt = Math.max(deliveredAt, t0 + this.offlineDeliveryMs);
    steps.push(at('delivered', deliveredAt));
    if (plan.kind === 'no-read' || d.readMs === null) return steps;
    steps.push(at('read', Math.max(deliveredAt, deliveredAt + (d.readMs - d.deliveredMs))));
    return steps;
  }

  pending(): number {
    return this.heap.size;
  }

  reset(): void {
    this.heap.drain();
    this.stop();
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
  }

  private push(e: Event): void {
    this.heap.push(e);
    if (!this.interval) this.interval = setInterval(() => this.tick(), this.tickMs);
  }

  private tick(): void {
    const now = Date.now();
    for (let e = this.heap.popDue(now); e; e = this.heap.popDue(now)) {
      this.emit(e.msg.source, this.statusBody(e), e.duplicate === true);
    }
    if (this.heap.size === 0) this.stop();
  }

  private statusBody(e: Event): Record<string, unknown> {
    const m = e.msg;
    // The time it happened, not when it is POSTed: an out-of-order status keeps its timestamp.
    const ts = Math.floor(e.eventAt / 1000);
    const s: Record<string, unknown> = { id: m.wamid, status: e.status, timestamp: String(ts), recipient_id: m.waId };
    if (m.bizOpaqueCallbackData !== undefined) s.biz_opaque_callback_data = m.bizOpaqueCallbackData;
    if (e.status === 'failed') {
      s.errors = [asyncError(e.code as number, e.details)];
      return s;
    }
    if (e.status === 'read') return s;
    if (m.withConversation) {
      const startS = Math.floor(m.acceptedAt / 1000);
      const conversation: Record<string, unknown> = { id: conversationId(m, startS) };
      if (e.status === 'sent') conversation.expiration_timestamp = String(startS + DAY_S);
      conversation.origin = { type: m.category };
      s.conversation = conversation;
    }
    s.pricing = {
      billable: !m.free,
      pricing_model: 'PMP',
      type: m.free ? 'free_customer_service' : 'regular',
      category: m.category,
    };
    return s;
  }
}

/** Stable per (number, user, category, day) without keeping a map of open conversations. */
function conversationId(m: TrackedMessage, startS: number): string {
  return createHash('md5')
    .update(`${m.source.phoneNumberId}|${m.waId}|${m.category}|${Math.floor(startS / DAY_S)}`)
    .digest('hex');
}
