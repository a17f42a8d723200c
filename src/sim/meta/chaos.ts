/**
 * @module sim/meta/chaos
 * Chaos knobs: the delivery anomalies Meta documents (§3.7) that a gateway must survive —
 * duplicates, out-of-order statuses, `read` without `delivered`, `delivered` after `failed`.
 * Every decision is drawn from one seeded PRNG at the moment a message is accepted (or an
 * inbound message injected), never at emission time, so the same seed and the same sequence of
 * sends give the same anomalies however the event loop happens to schedule the webhooks.
 */

export interface ChaosOptions {
  /** Probability that a status (or an injected inbound message) is delivered twice. */
  duplicateRate?: number;
  /** Probability that two adjacent statuses of a message are emitted in swapped order. */
  outOfOrderRate?: number;
  /** Probability that a message that will be read skips `delivered` (user had the chat open). */
  skipDeliveredRate?: number;
  /** Probability that a failed message later also reports `delivered` (multi-device). */
  deliveredAfterFailedRate?: number;
  /** PRNG seed; setting it restarts the random sequence. */
  seed?: number;
}

export type ChaosSettings = Required<ChaosOptions>;

/** Fixed, so a simulator without an explicit seed is still reproducible. */
export const DEFAULT_CHAOS_SEED = 0x5eed;

const RATE_KEYS = ['duplicateRate', 'outOfOrderRate', 'skipDeliveredRate', 'deliveredAfterFailedRate'] as const;

/** One status a message is going to emit, before it becomes a heap event. */
export interface PlannedStatus {
  status: 'sent' | 'delivered' | 'read' | 'failed';
  /** When the simulator POSTs it. */
  due: number;
  /** When Meta says it happened (the webhook `timestamp`); stays put when `due` is shuffled. */
  eventAt: number;
  code?: number;
  details?: string | undefined;
  /** A chaos copy: delivered again but not part of the truth. */
  duplicate?: boolean;
}

/** mulberry32: tiny, fast and good enough for test scenarios. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class Chaos {
  private current: ChaosSettings = {
    duplicateRate: 0,
    outOfOrderRate: 0,
    skipDeliveredRate: 0,
    deliveredAfterFailedRate: 0,
    seed: DEFAULT_CHAOS_SEED,
  };
  private random: () => number = seededRandom(DEFAULT_CHAOS_SEED);

  /**
   * @param separatePostMs a duplicate meant to land in another POST is delayed at least this
   *   long, i.e. past the webhook batch linger.
   */
  constructor(
    options: ChaosOptions | undefined,
    private readonly separatePostMs: number,
  ) {
    if (options) this.set(options);
  }

  get settings(): ChaosSettings {
    return { ...this.current };
  }

  /** Merges `options` into the current settings; throws a RangeError on a rate outside [0, 1]. */
  set(options: ChaosOptions): ChaosSettings {
    for (const key of RATE_KEYS) {
      const v = options[key];
      if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) throw new RangeError(`${key} must be a number in [0, 1]`);
    }
    if (options.seed !== undefined && !Number.isFinite(options.seed)) throw new RangeError('seed must be a finite number');
    const next = { ...this.current };
    for (const key of RATE_KEYS) if (options[key] !== undefined) next[key] = options[key] as number;
    if (options.seed !== undefined) {
      next.seed = options.seed;
      this.random = seededRandom(options.seed);
    }
    this.current = next;
    return this.settings;
  }

  /** Restarts the random sequence from the current seed (on simulator reset). */
  reseed(): void {
    this.random = seededRandom(this.current.seed);
  }

  /**
   * Applies the knobs to one message's planned statuses, in place. A rate of 0 draws nothing,
   * so turning one knob on does not change the decisions of another.
   */
  shape(steps: PlannedStatus[], gapMs: number): PlannedStatus[] {
    const c = this.current;
    const delivered = steps.findIndex((s) => s.status === 'delivered');
    const hasRead = steps.some((s) => s.status === 'read');
    if (delivered >= 0 && hasRead && this.roll(c.skipDeliveredRate)) steps.splice(delivered, 1);

    const failed = steps.find((s) => s.status === 'failed');
    if (failed && this.roll(c.deliveredAfterFailedRate)) {
      const at = failed.due + gapMs;
      steps.push({ status: 'delivered', due: at, eventAt: at });
    }

    if (steps.length >= 2 && this.roll(c.outOfOrderRate)) {
      // Swap when they are POSTed, not when they happened: timestamps stay truthful, as Meta's do.
      const i = Math.floor(this.draw() * (steps.length - 1));
      const a = steps[i] as PlannedStatus;
      const b = steps[i + 1] as PlannedStatus;
      [a.due, b.due] = [b.due, a.due];
      // Equal due times fall back to insertion order, so swap the positions too.
      steps[i] = b;
      steps[i + 1] = a;
    }

    const copies: PlannedStatus[] = [];
    for (const s of steps) if (this.roll(c.duplicateRate)) copies.push({ ...s, due: s.due + this.duplicateDelay(), duplicate: true });
    steps.push(...copies);
    return steps;
  }

  /** How many extra times an inbound message is delivered (0 or 1). */
  inboundCopies(): number {
    return this.roll(this.current.duplicateRate) ? 1 : 0;
  }

  /** Half the copies go in the same batch as the original, half in a later POST. */
  private duplicateDelay(): number {
    if (this.draw() < 0.5) return 0;
    return this.separatePostMs + Math.floor(this.draw() * this.separatePostMs);
  }

  private roll(rate: number): boolean {
    if (rate <= 0) return false;
    return this.draw() < rate;
  }

  private draw(): number {
    return this.random();
  }
}
