/**
 * @module sim/clevertap/funnel
 * What CleverTap's campaign stats would show, built from accepted callbacks: per campaign the
 * distinct messages sent, delivered, read ("Viewed"), clicked, failed (by code) and replied to,
 * plus each message's status sequence so tests can prove statuses arrive in lifecycle order.
 * Counting distinct messages (not reports) is deliberate: the gateway delivers callbacks at least
 * once, and a retried report must not inflate the funnel; repeats are counted as `duplicates`.
 */
import { campaignOf } from './msg-id.js';
import type { DlrStatus, Funnel, OrderViolation } from './types.js';

interface CampaignCounts {
  sent: Set<string>;
  delivered: Set<string>;
  read: Set<string>;
  clicked: Set<string>;
  /** msgId → the code of its first failure. */
  failed: Map<string, number>;
  replied: Set<string>;
  duplicates: number;
}

/** Lifecycle rank of the statuses whose order matters; clicks may come at any time. */
const RANK: Readonly<Record<string, number>> = { sent: 1, delivered: 2, read: 3 };

export class FunnelBook {
  private readonly campaigns = new Map<string, CampaignCounts>();
  private readonly sequences = new Map<string, string[]>();

  recordStatus(s: DlrStatus): void {
    const seq = this.sequences.get(s.msgId);
    if (seq) seq.push(s.status);
    else this.sequences.set(s.msgId, [s.status]);

    const campaignId = campaignOf(s.msgId);
    if (campaignId === undefined) return;
    const c = this.counts(campaignId);
    let fresh: boolean;
    if (s.status === 'failed') {
      fresh = !c.failed.has(s.msgId);
      if (fresh) c.failed.set(s.msgId, s.error?.code ?? 0);
    } else {
      const set = c[s.status];
      fresh = !set.has(s.msgId);
      set.add(s.msgId);
    }
    if (!fresh) c.duplicates++;
  }

  /** An inbound message replying to `contextId` counts once per replied-to message. */
  recordReply(contextId: string): void {
    const campaignId = campaignOf(contextId);
    if (campaignId !== undefined) this.counts(campaignId).replied.add(contextId);
  }

  funnel(campaignId: string): Funnel {
    const c = this.campaigns.get(campaignId);
    const byCode: Record<string, number> = {};
    for (const code of c?.failed.values() ?? []) byCode[code] = (byCode[code] ?? 0) + 1;
    return {
      campaignId,
      sent: c?.sent.size ?? 0,
      delivered: c?.delivered.size ?? 0,
      read: c?.read.size ?? 0,
      clicked: c?.clicked.size ?? 0,
      failed: { total: c?.failed.size ?? 0, byCode },
      replied: c?.replied.size ?? 0,
      duplicates: c?.duplicates ?? 0,
    };
  }

  statusesOf(msgId: string): string[] {
    return this.sequences.get(msgId)?.slice() ?? [];
  }

  orderViolations(): OrderViolation[] {
    const out: OrderViolation[] = [];
    for (const [msgId, sequence] of this.sequences) {
      const reason = orderProblem(sequence);
      if (reason) out.push({ msgId, sequence: sequence.slice(), reason });
    }
    return out;
  }

  clear(): void {
    this.campaigns.clear();
    this.sequences.clear();
  }

  private counts(campaignId: string): CampaignCounts {
    let c = this.campaigns.get(campaignId);
    if (!c) {
      c = { sent: new Set(), delivered: new Set(), read: new Set(), clicked: new Set(), failed: new Map(), replied: new Set(), duplicates: 0 };
      this.campaigns.set(campaignId, c);
    }
    return c;
  }
}

/**
 * Why a sequence breaks sent → delivered → read, or undefined when it does not. Skipped steps
 * are fine (Meta sometimes skips `sent`) and so are repeats; going backwards is not, nor is any
 * lifecycle status after `failed`, nor `failed` after `read` (read is final).
 */
export function orderProblem(sequence: readonly string[]): string | undefined {
  let highest = 0;
  let highestName = '';
  let failed = false;
  const seen = new Set<string>();
  for (const status of sequence) {
    if (status === 'clicked') continue;
    // A status received again is a redelivery (callbacks are at-least-once, e.g. after the
    // sender crashed between CleverTap's 2xx and recording it): CleverTap already counted it, so
    // only first arrivals must come in order.
    if (seen.has(status)) continue;
    seen.add(status);
    if (status === 'failed') {
      if (!failed && highestName === 'read') return 'failed after read';
      failed = true;
      continue;
    }
    if (failed) return `${status} after failed`;
    const rank = RANK[status] ?? 0;
    if (rank < highest) return `${status} after ${highestName}`;
    if (rank > highest) {
      highest = rank;
      highestName = status;
    }
  }
  return undefined;
}
