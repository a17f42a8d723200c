/**
 * @module store/message-timeline
 * A message's timeline, assembled from what the store keeps (store/message-events.ts says where
 * each part lives): the row (accepted, pre-flight, the Graph send Meta accepted, each state a
 * status webhook moved it to), its events (Graph errors, statuses that moved nothing, failed
 * callback attempts), and the callbacks about it (what CleverTap was told, how it answered,
 * clicks). Pure: the same inputs give the same timeline, ordered by time, ties in the order the
 * lifecycle has them.
 *
 * Meta stamps statuses in whole seconds, so a `sent` status can carry a time before the send it
 * reports. Statuses keep Meta's time but are ordered no earlier than the send (or the acceptance).
 */
import type { DeliveryFailure } from '../domain/failure.js';
import type { DeliveryReport } from '../domain/delivery-report.js';
import type { MessageState } from '../domain/status.js';
import type { CallbackRecord, MessageEvent } from './message-events.js';
import type { StoredMessage } from './message-store.js';

export type TimelineKind = 'accepted' | 'preflight' | 'graph' | 'status' | 'callback' | 'click';

export interface TimelineEntry {
  at: number;
  kind: TimelineKind;
  /**
   * accepted: `stored`; preflight: passed | repaired | unvalidated | not-checked; graph: accepted
   * | rejected | no-answer; status: applied | ignored; callback: delivered | failed | pending | dead.
   */
  outcome: string;
  /** The state a status webhook reported; for a callback, the status the report told CleverTap. */
  state?: MessageState | DeliveryReport['status'];
  httpStatus?: number;
  /** Meta's error code. */
  code?: number;
  /** Meta's error title, a transport error, CleverTap's answer, or the failure reported. */
  title?: string;
  latencyMs?: number;
  /** A callback's URL; a click's destination. */
  url?: string;
  wamid?: string;
  /** A click's tracking URL and user agent. */
  shortUrl?: string;
  userAgent?: string;
}

/** The order of entries at the same millisecond: the lifecycle's own. */
const KIND_ORDER: Record<TimelineKind, number> = { accepted: 0, preflight: 1, graph: 2, status: 3, click: 4, callback: 5 };
const STATE_ORDER: Record<string, number> = { accepted: 0, submitted: 1, sent: 2, delivered: 3, read: 4, failed: 5, clicked: 6 };

export function messageTimeline(message: StoredMessage, events: readonly MessageEvent[], callbacks: readonly CallbackRecord[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ at: message.acceptedAt, kind: 'accepted', outcome: 'stored' }];
  entries.push({ at: message.acceptedAt, kind: 'preflight', outcome: message.preflight ?? 'not-checked' });
  if (message.submittedAt !== undefined) {
    const sent: TimelineEntry = { at: message.submittedAt, kind: 'graph', outcome: 'accepted', httpStatus: 200 };
    if (message.submitLatencyMs !== undefined) sent.latencyMs = message.submitLatencyMs;
    if (message.wamid) sent.wamid = message.wamid;
    entries.push(sent);
  }
  const reached: Array<[MessageState, number | undefined]> = [
    ['sent', message.sentAt],
    ['delivered', message.deliveredAt],
    ['read', message.readAt],
    ['failed', message.failedAt],
  ];
  for (const [state, at] of reached) {
    if (at === undefined) continue;
    const entry: TimelineEntry = { at, kind: 'status', outcome: 'applied', state };
    if (state === 'failed' && message.failure) withFailure(entry, message.failure);
    entries.push(entry);
  }
  for (const event of events) entries.push(fromEvent(event));
  for (const callback of callbacks) entries.push(...fromCallback(callback));
  const floor = message.submittedAt ?? message.acceptedAt;
  const orderAt = (entry: TimelineEntry) => (entry.kind === 'status' ? Math.max(entry.at, floor) : entry.at);
  return entries
    .map((entry, index) => ({ entry, index, at: orderAt(entry) }))
    .sort((a, b) => a.at - b.at || rank(a.entry) - rank(b.entry) || a.index - b.index)
    .map(({ entry }) => entry);
}

function rank(entry: TimelineEntry): number {
  return KIND_ORDER[entry.kind] * 10 + (entry.state ? (STATE_ORDER[entry.state] ?? 0) : 0);
}

function withFailure(entry: TimelineEntry, failure: DeliveryFailure): void {
  if (failure.metaCode !== undefined) entry.code = failure.metaCode;
  entry.title = failure.title;
}

function fromEvent(event: MessageEvent): TimelineEntry {
  const outcome = event.kind === 'graph' ? (event.httpStatus === undefined ? 'no-answer' : 'rejected') : event.kind === 'status' ? 'ignored' : 'failed';
  const entry: TimelineEntry = { at: event.at, kind: event.kind, outcome };
  if (event.state) entry.state = event.state;
  if (event.httpStatus !== undefined) entry.httpStatus = event.httpStatus;
  if (event.code !== undefined) entry.code = event.code;
  if (event.title !== undefined) entry.title = event.title;
  if (event.latencyMs !== undefined) entry.latencyMs = event.latencyMs;
  if (event.url !== undefined) entry.url = event.url;
  return entry;
}

/** A callback's settled attempt (or where it stands), and the click it reports, if it is one. */
function fromCallback(callback: CallbackRecord): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let report: Partial<DeliveryReport> = {};
  try {
    report = JSON.parse(callback.payload) as Partial<DeliveryReport>;
  } catch {
    // not a report: shown without its status
  }
  if (report.status === 'clicked' && report.click) {
    entries.push({ at: report.at ?? callback.createdAt, kind: 'click', outcome: 'reported', url: report.click.url, shortUrl: report.click.shortUrl, userAgent: report.click.userAgent });
  }
  const outcome = callback.deliveredAt !== undefined ? 'delivered' : callback.deadAt !== undefined ? 'dead' : callback.lastError !== undefined ? 'failed' : 'pending';
  const at = callback.deliveredAt ?? callback.deadAt ?? callback.createdAt;
  const entry: TimelineEntry = { at, kind: 'callback', outcome, url: callback.url };
  if (report.status) entry.state = report.status;
  if (callback.httpStatus !== undefined) entry.httpStatus = callback.httpStatus;
  if (callback.latencyMs !== undefined) entry.latencyMs = callback.latencyMs;
  if (callback.lastError !== undefined) entry.title = callback.lastError;
  else if (report.failure) entry.title = report.failure.title;
  entries.push(entry);
  return entries;
}
