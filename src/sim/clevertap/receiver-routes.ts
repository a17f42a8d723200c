/**
 * @module sim/clevertap/receiver-routes
 * `POST /dlr[/:accountId]` and `POST /imo[/:accountId]`: CleverTap's two callback URLs. A fault
 * window, if one is active, decides first (fail, hold, or delay); then the body must be JSON in
 * CleverTap's format or it is refused with 400 and a reason naming every offending path.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallbackKind, ReceiverState } from './receiver-state.js';

const SUCCESS = '{"status":"success"}';
const FAULT_BODIES: Record<number, string> = {
  429: '{"message":"Too many requests to process"}',
  500: '{"status":"failure","error":{"message":"Unable to process the request"}}',
  503: '{"status":"failure","error":{"message":"Service unavailable"}}',
};

/** Requests held by a timeout window, released (connection dropped) on close. */
export type HeldRequests = Set<() => void>;

export function registerReceiverRoutes(app: FastifyInstance, state: ReceiverState, held: HeldRequests): void {
  for (const kind of ['dlr', 'imo'] as const) {
    const handler = (req: FastifyRequest<{ Params: { accountId?: string } }>, reply: FastifyReply) =>
      handle(kind, req, reply, state, held);
    app.post(`/${kind}`, handler);
    app.post(`/${kind}/:accountId`, handler);
  }
}

async function handle(
  kind: CallbackKind,
  req: FastifyRequest<{ Params: { accountId?: string } }>,
  reply: FastifyReply,
  state: ReceiverState,
  held: HeldRequests,
): Promise<FastifyReply | void> {
  const path = req.url.split('?')[0] ?? req.url;
  const fault = state.faults.current();
  if (fault?.kind === 'fail') {
    state.recordFault(path, fault.status, `simulated HTTP ${fault.status} (failFor)`, readJson(req.body).value);
    return reply.code(fault.status).type('application/json').send(FAULT_BODIES[fault.status]);
  }
  if (fault?.kind === 'timeout') {
    state.recordFault(path, 0, `held without an answer (timeoutFor, up to ${fault.holdMs} ms)`, readJson(req.body).value);
    hold(reply, fault.holdMs, held);
    return;
  }
  if (fault?.kind === 'slow') await sleep(fault.delayMs);

  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const parsed = readJson(req.body);
  const verdict =
    contentType !== 'application/json'
      ? state.rejectUnreadable(path, `Content-Type must be application/json, got ${JSON.stringify(req.headers['content-type'] ?? '')}`, parsed.value)
      : parsed.error !== undefined
        ? state.rejectUnreadable(path, parsed.error, parsed.value)
        : state.receive(kind, path, req.params.accountId, parsed.value);
  if (!verdict.accepted) {
    return reply.code(400).send({
      status: 'failure',
      error: kind === 'dlr' ? 'invalid delivery report' : 'invalid inbound message',
      reason: verdict.reason,
      problems: verdict.problems,
    });
  }
  return reply.code(200).type('application/json').send(SUCCESS);
}

/** Never answers: the connection is dropped when the client gives up or after `holdMs`. */
function hold(reply: FastifyReply, holdMs: number, held: HeldRequests): void {
  reply.hijack();
  const socket = reply.raw.socket;
  const release = () => {
    clearTimeout(timer);
    held.delete(release);
    socket?.destroy();
  };
  const timer = setTimeout(release, holdMs);
  held.add(release);
  socket?.once('close', release);
}

function readJson(body: unknown): { value: unknown; error?: string } {
  if (body === undefined || body === null || (Buffer.isBuffer(body) && body.length === 0)) {
    return { value: undefined, error: 'the body is empty; send a JSON object' };
  }
  if (!Buffer.isBuffer(body)) return { value: body };
  const text = body.toString('utf8');
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { value: text, error: `the body is not valid JSON (${(e as Error).message})` };
  }
}
