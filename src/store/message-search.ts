/**
 * @module store/message-search
 * The operator's read side of messages: search (by account, msgId, recipient, campaign, state and
 * acceptance time, newest first) and the latest inbound messages. Keyset pagination: a page's
 * `nextCursor` names where the next page starts, so page 1,000 costs what page 1 does and a page
 * never repeats or skips a message that was accepted while paging.
 *
 * Every filter is served by an index (migration 011) except `state`, which is read while walking
 * the newest-first order: an index on a column every status changes would cost each status an
 * index update (and Postgres its HOT updates), on the path that must stay cheapest. `failed` is
 * the exception, the one rare state a search must find among millions; it has a partial index.
 * Cursors are opaque and belong to the adapter that made them.
 */
import type { DeliveryFailure } from '../domain/failure.js';
import type { MessageState } from '../domain/status.js';

export interface MessageQuery {
  accountId?: string;
  /** CleverTap's msgId, exactly. */
  msgId?: string;
  /** The recipient, as stored (digits, no `+`). */
  phone?: string;
  /** The campaign part of the msgId (store/message-events.ts `campaignOf`). */
  campaign?: string;
  state?: MessageState;
  /** Accepted at or after, epoch ms. */
  from?: number;
  /** Accepted before, epoch ms. */
  to?: number;
  limit: number;
  cursor?: string;
}

/** A message as a search lists it: what identifies it and where it stands, without its content. */
export interface MessageSummary {
  id: string;
  accountId: string;
  msgId: string;
  campaign?: string;
  to: string;
  wabaNumber: string;
  /** The content's kind (template, text, image…) and, for a template, its name. */
  contentKind: string;
  template?: string;
  state: MessageState;
  wamid?: string;
  failure?: DeliveryFailure;
  acceptedAt: number;
  updatedAt: number;
}

export interface Page<T> {
  data: T[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface InboundQuery {
  accountId?: string;
  limit: number;
  cursor?: string;
}

/** An inbound message as the Inbound page shows it. */
export interface InboundSummary {
  wamid: string;
  accountId: string;
  from: string;
  receivedAt: number;
  /** Meta's message type (text, image, button, interactive…), when recorded. */
  kind?: string;
  /** The text, caption, or the label of the button tapped. */
  text?: string;
  /** The link CleverTap was given for the media (the gateway's signed media proxy). */
  mediaUrl?: string;
  /** CleverTap's msgId of the campaign message it replies to. */
  contextMsgId?: string;
  /** Its inbound-message callback, if one was owed and is still kept. */
  callback?: {
    url: string;
    deliveredAt?: number;
    httpStatus?: number;
    lastError?: string;
    deadAt?: number;
  };
}

export interface MessageSearch {
  search(query: MessageQuery): Promise<Page<MessageSummary>>;
  /** The latest inbound messages, newest first. */
  inbound(query: InboundQuery): Promise<Page<InboundSummary>>;
}

/** Largest page a search answers. */
export const MAX_PAGE = 200;

/** The filter whose index leads a search: the most selective one asked for. */
export type SearchDriver = 'msgId' | 'phone' | 'campaign' | 'failed' | 'account' | 'time';

export function driverOf(query: MessageQuery): SearchDriver {
  if (query.msgId !== undefined) return 'msgId';
  if (query.phone !== undefined) return 'phone';
  if (query.campaign !== undefined) return 'campaign';
  if (query.state === 'failed') return 'failed';
  if (query.accountId !== undefined) return 'account';
  return 'time';
}

/** `limit` brought within 1..MAX_PAGE. */
export function pageSize(limit: number): number {
  return Math.max(1, Math.min(MAX_PAGE, Math.floor(limit) || 1));
}

/** A page from rows read one past `limit`: the extra row says whether there is a next page. */
export function page<Row, T>(rows: Row[], limit: number, cursorOf: (row: Row) => string, map: (row: Row) => T): Page<T> {
  const result: Page<T> = { data: rows.slice(0, limit).map(map) };
  if (rows.length > limit) result.nextCursor = cursorOf(rows[limit - 1]!);
  return result;
}

/** An opaque cursor for the key `[time, tiebreak]`. */
export function encodeCursor(time: number, tiebreak: string | number): string {
  return Buffer.from(JSON.stringify([time, tiebreak])).toString('base64url');
}

/** The key a cursor names; undefined for anything this store did not make. */
export function decodeCursor<T extends string | number>(cursor: string | undefined, tiebreak: 'string' | 'number'): [number, T] | undefined {
  if (!cursor) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === tiebreak) return value as [number, T];
  } catch {
    // not ours
  }
  return undefined;
}

/** Thrown for a cursor this store did not make (answered 400 by the API). */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** What a summary needs from a `messages` row. */
export interface SummaryRow {
  id: string;
  account_id: string;
  msg_id: string;
  campaign: string | null;
  recipient: string;
  waba_number: string;
  content: string;
  state: MessageState;
  wamid: string | null;
  failure: string | null;
  accepted_at: number | string;
  updated_at: number | string;
  [column: string]: unknown;
}

export function toSummary(row: SummaryRow): MessageSummary {
  const content = JSON.parse(row.content) as { kind: string; name?: string };
  const summary: MessageSummary = {
    id: row.id,
    accountId: row.account_id,
    msgId: row.msg_id,
    to: row.recipient,
    wabaNumber: row.waba_number,
    contentKind: content.kind,
    state: row.state,
    acceptedAt: Number(row.accepted_at),
    updatedAt: Number(row.updated_at),
  };
  if (row.campaign !== null) summary.campaign = row.campaign;
  if (content.kind === 'template' && content.name) summary.template = content.name;
  if (row.wamid) summary.wamid = row.wamid;
  if (row.failure) summary.failure = JSON.parse(row.failure);
  return summary;
}

/** What an inbound summary needs from `inbound_messages` joined with its callback. */
export interface InboundRow {
  wamid: string;
  account_id: string;
  sender: string;
  context_msg_id: string | null;
  received_at: number | string;
  kind: string | null;
  text: string | null;
  media_url: string | null;
  callback_url: string | null;
  delivered_at: number | string | null;
  http_status: number | null;
  last_error: string | null;
  dead_at: number | string | null;
  [column: string]: unknown;
}

export function toInboundSummary(row: InboundRow): InboundSummary {
  const summary: InboundSummary = { wamid: row.wamid, accountId: row.account_id, from: row.sender, receivedAt: Number(row.received_at) };
  if (row.kind !== null) summary.kind = row.kind;
  if (row.text !== null) summary.text = row.text;
  if (row.media_url !== null) summary.mediaUrl = row.media_url;
  if (row.context_msg_id !== null) summary.contextMsgId = row.context_msg_id;
  if (row.callback_url !== null) {
    const callback: NonNullable<InboundSummary['callback']> = { url: row.callback_url };
    if (row.delivered_at !== null) callback.deliveredAt = Number(row.delivered_at);
    if (row.http_status !== null) callback.httpStatus = row.http_status;
    if (row.last_error !== null && row.delivered_at === null) callback.lastError = row.last_error;
    if (row.dead_at !== null) callback.deadAt = Number(row.dead_at);
    summary.callback = callback;
  }
  return summary;
}
