/**
 * @module store/message-events
 * What happened to a message that its row does not say, for the operator's timeline
 * (store/message-timeline.ts assembles the whole of it).
 *
 * The row already says most of it, at no extra cost on the hot path: CleverTap's request as
 * accepted and its pre-flight result, the Graph send that succeeded (its wamid, time and latency),
 * each state a status webhook moved the message to (with Meta's error when it failed). The
 * callbacks about the message say what CleverTap was told and how it answered the attempt that
 * settled each one (`callbacksAbout`). Events are the rest, all off the happy path: a Graph answer
 * that was an error or an unknown outcome, a status webhook that moved nothing (a replay, or out
 * of order), a callback attempt that failed. One small row each, never a request or answer body.
 *
 * Events are written in the commit that already happens: as an effect of the change they belong
 * to (`Effects.events`), by the store itself (a status that moved nothing), or through the write
 * batch the caller's other writes of the same turn are in (`append`). They go when their message
 * goes (retention).
 */
import type { CallbackKind } from './callback-outbox.js';
import type { DeliveryFailure } from '../domain/failure.js';
import type { MessageState } from '../domain/status.js';

export type MessageEventKind = 'graph' | 'status' | 'callback';

export interface MessageEvent {
  /** The gateway's message id. */
  messageId: string;
  /** Epoch ms: when the answer came (graph, callback), or the status's own timestamp. */
  at: number;
  /**
   * `graph`: an answer to a send other than success (an error, or a transport failure);
   * `status`: a status webhook that did not move the message; `callback`: a failed attempt to
   * deliver a callback about the message.
   */
  kind: MessageEventKind;
  /** The status a webhook reported (`status`). */
  state?: MessageState;
  /** The HTTP status of the answer, when there was one (Graph's, or CleverTap's). */
  httpStatus?: number;
  /** Meta's error code (`graph`, a failed `status`). */
  code?: number;
  /** Meta's error title, the transport error, or CleverTap's answer (first 500 characters). */
  title?: string;
  latencyMs?: number;
  /** The callback URL (`callback`). */
  url?: string;
}

/** A callback about a message or an inbound message, with how its delivery went. */
export interface CallbackRecord {
  id: string;
  kind: CallbackKind;
  url: string;
  /** What CleverTap is sent (a delivery report or the IMO body), as JSON. */
  payload: string;
  createdAt: number;
  /** When CleverTap accepted it, with its answer's HTTP status and the attempt's latency. */
  deliveredAt?: number;
  httpStatus?: number;
  latencyMs?: number;
  /** Why the last attempt failed, while it is not delivered. */
  lastError?: string;
  /** When it was given up on (dead-lettered). */
  deadAt?: number;
}

export interface MessageEvents {
  /** Appends events in the store's next write batch (joining the writes issued in the same turn). */
  append(events: readonly MessageEvent[]): Promise<void>;
  /** A message's events, in the order they were written. */
  list(messageId: string): Promise<MessageEvent[]>;
  /** The callbacks about `messageRef` (our message id, or an inbound message's wamid), oldest first. */
  callbacksAbout(messageRef: string): Promise<CallbackRecord[]>;
}

/** The campaign part of CleverTap's msgId (`i|campaignID|batchID|j[|variant]`): its second field. */
export function campaignOf(msgId: string): string | undefined {
  const first = msgId.indexOf('|');
  if (first < 0) return undefined;
  const second = msgId.indexOf('|', first + 1);
  return second < 0 ? msgId.slice(first + 1) : msgId.slice(first + 1, second);
}

/** A status that did not move its message (a replay, or out of order), as the store records it. */
export function staleStatusEvent(messageId: string, state: MessageState, at: number, failure: DeliveryFailure | undefined): MessageEvent {
  const event: MessageEvent = { messageId, at, kind: 'status', state };
  if (failure?.metaCode !== undefined) event.code = failure.metaCode;
  if (failure) event.title = failure.title;
  return event;
}

/** A row of `message_events` (both dialects; Postgres's int8 arrives as a string). */
export interface MessageEventRow {
  message_id: string;
  at: number | string;
  kind: MessageEventKind;
  state: MessageState | null;
  http_status: number | null;
  code: string | null;
  title: string | null;
  latency_ms: number | null;
  url: string | null;
  [column: string]: unknown;
}

export function toMessageEvent(row: MessageEventRow): MessageEvent {
  const event: MessageEvent = { messageId: row.message_id, at: Number(row.at), kind: row.kind };
  if (row.state !== null) event.state = row.state;
  if (row.http_status !== null) event.httpStatus = row.http_status;
  if (row.code !== null) event.code = Number(row.code);
  if (row.title !== null) event.title = row.title;
  if (row.latency_ms !== null) event.latencyMs = row.latency_ms;
  if (row.url !== null) event.url = row.url;
  return event;
}

/** A `callbacks` row as `callbacksAbout` reads it. */
export interface CallbackRecordRow {
  id: number | string;
  kind: CallbackKind;
  url: string;
  payload: string;
  created_at: number | string;
  delivered_at: number | string | null;
  http_status: number | null;
  latency_ms: number | null;
  last_error: string | null;
  dead_at: number | string | null;
  [column: string]: unknown;
}

export function toCallbackRecord(row: CallbackRecordRow): CallbackRecord {
  const record: CallbackRecord = { id: String(row.id), kind: row.kind, url: row.url, payload: row.payload, createdAt: Number(row.created_at) };
  if (row.delivered_at !== null) record.deliveredAt = Number(row.delivered_at);
  if (row.http_status !== null) record.httpStatus = row.http_status;
  if (row.latency_ms !== null) record.latencyMs = row.latency_ms;
  if (row.last_error !== null && row.delivered_at === null) record.lastError = row.last_error;
  if (row.dead_at !== null) record.deadAt = Number(row.dead_at);
  return record;
}
