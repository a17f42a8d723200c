/**
 * @module http/routes/admin-messages
 * The console's Messages and Inbound pages:
 *
 * - `GET /v1/admin/messages?account&msgId&phone&campaign&state&from&to&limit&cursor` → a page of
 *   messages, newest first, `{ data, nextCursor }` (keyset: pass `nextCursor` back as `cursor`);
 * - `GET /v1/admin/messages/{id}` → the message as stored (CleverTap's request as accepted) and
 *   its timeline (store/message-timeline.ts);
 * - `GET /v1/admin/inbound?account&limit&cursor` → the latest inbound messages, each with whether
 *   CleverTap accepted its inbound-message callback.
 *
 * Times are epoch milliseconds; `from`/`to` also take ISO 8601. Same access rule as the rest of
 * the admin API (routes/admin.ts `requireAdmin`), decided in this plugin's own hook.
 */
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { MESSAGE_STATES, type MessageState } from '../../domain/status.js';
import { InvalidCursorError, MAX_PAGE, type InboundQuery, type InboundSummary, type MessageQuery, type MessageSummary, type Page } from '../../store/message-search.js';
import type { StoredMessage } from '../../store/message-store.js';
import type { TimelineEntry } from '../../store/message-timeline.js';
import { problem, ProblemSchema } from '../problem.js';
import { requireAdmin } from './admin.js';

export interface MessageAdminSource {
  search(query: MessageQuery): Promise<Page<MessageSummary>>;
  /** The message and its timeline; undefined when no message has this id (or it was forgotten). */
  message(id: string): Promise<{ message: StoredMessage; timeline: TimelineEntry[] } | undefined>;
  inbound(query: InboundQuery): Promise<Page<InboundSummary>>;
}

export interface AdminMessagesOptions {
  messages: MessageAdminSource;
  token?: string;
}

const EPOCH_MS = (description: string) => Type.Integer({ description: `${description} (epoch milliseconds)` });
const TIME_PARAM = (description: string) => Type.String({ description: `${description}: epoch milliseconds or an ISO 8601 time` });
const LIMIT = Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 50, description: `messages per page (at most ${MAX_PAGE})` });
const CURSOR = Type.String({ description: 'the `nextCursor` of the previous page' });
const StateSchema = Type.Union(MESSAGE_STATES.map((state) => Type.Literal(state)));

const FailureSchema = Type.Object(
  {
    reason: Type.String({ description: "the gateway's reason, mapped to CleverTap's DLR code" }),
    metaCode: Type.Optional(Type.Integer({ description: "Meta's error code" })),
    title: Type.String({ description: "Meta's error title, or the gateway's own" }),
    detail: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

const SummarySchema = Type.Object({
  id: Type.String({ description: "the gateway's message id (Meta echoes it as biz_opaque_callback_data)" }),
  accountId: Type.String(),
  msgId: Type.String({ description: "CleverTap's msgId" }),
  campaign: Type.Optional(Type.String({ description: "the campaign part of the msgId (its second '|' field)" })),
  to: Type.String(),
  wabaNumber: Type.String(),
  contentKind: Type.String({ description: 'template, text, image, video, document, …' }),
  template: Type.Optional(Type.String({ description: "the template's name" })),
  state: StateSchema,
  wamid: Type.Optional(Type.String({ description: "Meta's message id" })),
  failure: Type.Optional(FailureSchema),
  acceptedAt: EPOCH_MS('when the gateway accepted it'),
  updatedAt: EPOCH_MS('its last change'),
});

const TimelineEntrySchema = Type.Object({
  at: EPOCH_MS('when it happened'),
  kind: Type.Union(['accepted', 'preflight', 'graph', 'status', 'callback', 'click'].map((kind) => Type.Literal(kind)), {
    description: "accepted: CleverTap's request stored; preflight: the template check; graph: a send to Meta and its answer; status: a status webhook; callback: a callback to CleverTap and its answer; click: a tap on a tracked link",
  }),
  outcome: Type.String({
    description:
      'preflight: passed | repaired | unvalidated | not-checked; graph: accepted | rejected | no-answer; status: applied | ignored (it did not move the message); callback: delivered | failed | pending | dead',
  }),
  state: Type.Optional(Type.String({ description: "a status webhook's status; for a callback, the status it reports" })),
  httpStatus: Type.Optional(Type.Integer({ description: "the answer's HTTP status (Graph's or CleverTap's)" })),
  code: Type.Optional(Type.Integer({ description: "Meta's error code" })),
  title: Type.Optional(Type.String({ description: "Meta's error title, the transport error, or CleverTap's answer" })),
  latencyMs: Type.Optional(Type.Integer({ description: 'how long the answer took' })),
  url: Type.Optional(Type.String({ description: "a callback URL's origin and `/…` (its path carries CleverTap's tenant token), or a click's destination" })),
  wamid: Type.Optional(Type.String()),
  shortUrl: Type.Optional(Type.String()),
  userAgent: Type.Optional(Type.String()),
});

const MessageSchema = Type.Object(
  {
    id: Type.String(),
    accountId: Type.String(),
    msgId: Type.String(),
    campaign: Type.Optional(Type.String()),
    to: Type.String(),
    wabaNumber: Type.String(),
    content: Type.Object({ kind: Type.String() }, { additionalProperties: true, description: "CleverTap's request as accepted (after pre-flight and click tracking), in the gateway's canonical form" }),
    customProps: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    callbacks: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'callback URLs sent with the request (Kaleyra-style headers)' })),
    preflight: Type.Optional(Type.String({ description: 'passed | repaired | unvalidated' })),
    state: StateSchema,
    wamid: Type.Optional(Type.String()),
    failure: Type.Optional(FailureSchema),
    acceptedAt: EPOCH_MS('accepted'),
    updatedAt: EPOCH_MS('last change'),
  },
  { additionalProperties: true },
);

const InboundSchema = Type.Object({
  wamid: Type.String({ description: "Meta's id of the inbound message" }),
  accountId: Type.String(),
  from: Type.String(),
  receivedAt: EPOCH_MS("Meta's timestamp"),
  kind: Type.Optional(Type.String({ description: 'text, image, button, interactive reply, …' })),
  text: Type.Optional(Type.String({ description: 'the text, caption, or the label of the button tapped' })),
  mediaUrl: Type.Optional(Type.String({ description: 'the link CleverTap was given for the media' })),
  contextMsgId: Type.Optional(Type.String({ description: "CleverTap's msgId of the campaign message it replies to" })),
  callback: Type.Optional(
    Type.Object({
      url: Type.String({ description: "the Inbound Message URL's origin and `/…`" }),
      deliveredAt: Type.Optional(EPOCH_MS('when CleverTap accepted it')),
      httpStatus: Type.Optional(Type.Integer({ description: "CleverTap's answer to the last attempt" })),
      lastError: Type.Optional(Type.String()),
      deadAt: Type.Optional(EPOCH_MS('when it was given up on')),
    }, { description: 'its inbound-message callback, while it is kept' }),
  ),
});

const pageOf = (item: Parameters<typeof Type.Array>[0]) =>
  Type.Object({ data: Type.Array(item), nextCursor: Type.Optional(Type.String({ description: 'absent on the last page' })) });

export const ADMIN_MESSAGE_SEARCH_SCHEMA = {
  summary: 'Search messages, newest first',
  tags: ['messages'],
  querystring: Type.Object(
    {
      account: Type.Optional(Type.String({ description: 'account id' })),
      msgId: Type.Optional(Type.String({ description: "CleverTap's msgId, exactly" })),
      phone: Type.Optional(Type.String({ description: 'the recipient (digits; a leading + is ignored)' })),
      campaign: Type.Optional(Type.String({ description: "the campaign part of CleverTap's msgId" })),
      state: Type.Optional(StateSchema),
      from: Type.Optional(TIME_PARAM('accepted at or after')),
      to: Type.Optional(TIME_PARAM('accepted before')),
      limit: Type.Optional(LIMIT),
      cursor: Type.Optional(CURSOR),
    },
    { additionalProperties: false },
  ),
  response: { 200: pageOf(SummarySchema), 400: ProblemSchema },
};

export const ADMIN_MESSAGE_SCHEMA = {
  summary: 'A message as accepted, and its timeline',
  tags: ['messages'],
  params: Type.Object({ id: Type.String({ description: "the gateway's message id" }) }),
  response: { 200: Type.Object({ message: MessageSchema, timeline: Type.Array(TimelineEntrySchema) }), 404: ProblemSchema },
};

export const ADMIN_INBOUND_SCHEMA = {
  summary: 'The latest inbound messages, newest first',
  tags: ['messages'],
  querystring: Type.Object({ account: Type.Optional(Type.String({ description: 'account id' })), limit: Type.Optional(LIMIT), cursor: Type.Optional(CURSOR) }, { additionalProperties: false }),
  response: { 200: pageOf(InboundSchema), 400: ProblemSchema },
};

interface SearchQuerystring {
  account?: string;
  msgId?: string;
  phone?: string;
  campaign?: string;
  state?: MessageState;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export const adminMessagesRoutes: FastifyPluginAsync<AdminMessagesOptions> = async (app, { messages, token }) => {
  requireAdmin(app, token);

  app.get<{ Querystring: SearchQuerystring }>('/v1/admin/messages', { schema: ADMIN_MESSAGE_SEARCH_SCHEMA }, async (request, reply) => {
    const { account, msgId, phone, campaign, state, from, to, limit, cursor } = request.query;
    const query: MessageQuery = { limit: limit ?? 50 };
    const errors: Array<{ field: string; message: string }> = [];
    for (const [field, text] of [['from', from], ['to', to]] as const) {
      if (text === undefined) continue;
      const time = parseTime(text);
      if (time === undefined) errors.push({ field, message: `"${text}" is neither epoch milliseconds nor an ISO 8601 time` });
      else query[field] = time;
    }
    if (errors.length > 0) return problem(reply, 400, 'the query string is not valid', errors);
    if (account) query.accountId = account;
    if (msgId) query.msgId = msgId;
    if (phone) query.phone = phone.replace(/^\+/, '').replace(/[\s-]/g, '');
    if (campaign) query.campaign = campaign;
    if (state) query.state = state;
    if (cursor) query.cursor = cursor;
    return answerPage(reply, () => messages.search(query));
  });

  app.get<{ Params: { id: string } }>('/v1/admin/messages/:id', { schema: ADMIN_MESSAGE_SCHEMA }, async (request, reply) => {
    const found = await messages.message(request.params.id);
    if (!found) return problem(reply, 404, `no message "${request.params.id}" is stored (it may have been removed by retention)`);
    return reply.type('application/json').send(JSON.stringify(found));
  });

  app.get<{ Querystring: { account?: string; limit?: number; cursor?: string } }>('/v1/admin/inbound', { schema: ADMIN_INBOUND_SCHEMA }, async (request, reply) => {
    const { account, limit, cursor } = request.query;
    const query: InboundQuery = { limit: limit ?? 50 };
    if (account) query.accountId = account;
    if (cursor) query.cursor = cursor;
    return answerPage(reply, () => messages.inbound(query));
  });
};

async function answerPage(reply: import('fastify').FastifyReply, read: () => Promise<Page<unknown>>) {
  try {
    return reply.type('application/json').send(JSON.stringify(await read()));
  } catch (error) {
    if (error instanceof InvalidCursorError) return problem(reply, 400, 'the query string is not valid', [{ field: 'cursor', message: error.message }]);
    throw error;
  }
}

/** Epoch milliseconds, or an ISO 8601 time; undefined for anything else. */
export function parseTime(text: string): number | undefined {
  if (/^\d{1,16}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}
