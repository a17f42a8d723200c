import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { messageAdminSource } from '../../compose/message-admin.js';
import { sampleMessage } from '../../store/message-store.conformance.js';
import { createSqliteStorage, type SqliteStorage } from '../../store/sqlite/create-sqlite-storage.js';
import { problem, validationProblem, type SchemaViolation } from '../problem.js';
import { adminMessagesRoutes, parseTime } from './admin-messages.js';

const TOKEN = 'admin-token-for-tests';
const auth = { authorization: `Bearer ${TOKEN}` };
const T0 = Date.parse('2026-12-01T10:00:00Z');

describe('admin messages routes', () => {
  let app: FastifyInstance;
  let storage: SqliteStorage;
  const first = sampleMessage({ msgId: '1|4242|20261201|1', to: '919999999901', acceptedAt: T0 });
  const second = sampleMessage({ msgId: '2|4242|20261201|2', to: '919999999902', acceptedAt: T0 + 60_000 });
  const other = sampleMessage({ accountId: 'beta', msgId: '3|77|20261201|3', to: '919999999901', acceptedAt: T0 + 120_000 });

  beforeAll(async () => {
    storage = await createSqliteStorage({ path: ':memory:' });
    await storage.messages.acceptMessages([first, second, other].map((message) => ({ message, preflight: 'passed' as const })));
    await storage.events.append([{ messageId: first.id, at: T0 + 5, kind: 'graph', httpStatus: 400, code: 131026, title: 'Message undeliverable', latencyMs: 31 }]);
    await storage.messages.advanceState(first.id, 'failed', T0 + 6, { failure: { reason: 'invalid_phone', metaCode: 131026, title: 'Message undeliverable' } });
    await storage.inbound.record({ wamid: 'wamid.IN', accountId: 'acme', sender: '919999999901', receivedAt: T0 + 7, kind: 'text', text: 'STOP', contextMsgId: first.msgId });
    app = Fastify();
    // As the gateway's app answers a schema failure (http/app.ts).
    app.setErrorHandler((error: { validation?: SchemaViolation[]; validationContext?: string }, _request, reply) => {
      if (!error.validation) throw error;
      const invalid = validationProblem(error.validation, error.validationContext);
      return problem(reply, invalid.status, invalid.message, invalid.errors);
    });
    await app.register(adminMessagesRoutes, { token: TOKEN, messages: messageAdminSource(storage) });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await storage.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: auth });

  it('searches by campaign, newest first, and pages with nextCursor', async () => {
    const page1 = await get('/v1/admin/messages?campaign=4242&limit=1');
    expect(page1.statusCode).toBe(200);
    expect(page1.json().data.map((message: { id: string }) => message.id)).toEqual([second.id]);
    const page2 = await get(`/v1/admin/messages?campaign=4242&limit=1&cursor=${page1.json().nextCursor}`);
    expect(page2.json()).toEqual({ data: [expect.objectContaining({ id: first.id, campaign: '4242', state: 'failed', failure: expect.objectContaining({ metaCode: 131026 }) })] });
  });

  it('filters by account, phone (a leading + ignored), msgId, state and a time window in ISO 8601 or epoch ms', async () => {
    const ids = async (query: string) => (await get(`/v1/admin/messages?${query}`)).json().data.map((message: { id: string }) => message.id);
    expect(await ids('account=beta')).toEqual([other.id]);
    expect(await ids(`phone=${encodeURIComponent('+919999999901')}`)).toEqual([other.id, first.id]);
    expect(await ids(`msgId=${encodeURIComponent(second.msgId)}`)).toEqual([second.id]);
    expect(await ids('state=failed')).toEqual([first.id]);
    expect(await ids(`from=2026-12-01T10:00:30Z&to=${T0 + 120_000}`)).toEqual([second.id]);
  });

  it('answers 400 naming the field for a time or cursor it cannot read, and for a state that does not exist', async () => {
    const badTime = await get('/v1/admin/messages?from=yesterday');
    expect(badTime.statusCode).toBe(400);
    expect(badTime.json().errors).toEqual([{ field: 'from', message: '"yesterday" is neither epoch milliseconds nor an ISO 8601 time' }]);
    const badCursor = await get('/v1/admin/messages?cursor=abc');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().errors[0].field).toBe('cursor');
    const badState = await get('/v1/admin/messages?state=lost');
    expect(badState.statusCode).toBe(400);
    expect(badState.json().errors[0].field).toBe('state');
  });

  it('answers a message as accepted with its timeline, Graph error included', async () => {
    const response = await get(`/v1/admin/messages/${first.id}`);
    expect(response.statusCode).toBe(200);
    const { message, timeline } = response.json();
    expect(message).toMatchObject({ id: first.id, msgId: first.msgId, content: first.content, preflight: 'passed', state: 'failed' });
    expect(timeline.map((entry: { kind: string; outcome: string }) => `${entry.kind}:${entry.outcome}`)).toEqual(['accepted:stored', 'preflight:passed', 'graph:rejected', 'status:applied']);
    expect(timeline[2]).toEqual({ at: T0 + 5, kind: 'graph', outcome: 'rejected', httpStatus: 400, code: 131026, title: 'Message undeliverable', latencyMs: 31 });
    const missing = await get('/v1/admin/messages/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toContain('no message "nope"');
  });

  it('lists the latest inbound messages with what they said and the campaign message they answer', async () => {
    const response = await get('/v1/admin/inbound?account=acme');
    expect(response.json()).toEqual({ data: [{ wamid: 'wamid.IN', accountId: 'acme', from: '919999999901', receivedAt: T0 + 7, kind: 'text', text: 'STOP', contextMsgId: first.msgId }] });
    expect((await get('/v1/admin/inbound?account=beta')).json()).toEqual({ data: [] });
  });

  it("shows CleverTap's callback URLs by origin only: their path carries the tenant's token", async () => {
    const dlrUrl = 'https://wzrkt.example/a/TENANT-TOKEN/dlr?key=secret';
    const imoUrl = 'https://wzrkt.example/a/TENANT-TOKEN/imo?key=secret';
    await storage.outbox.owe([{ accountId: 'acme', kind: 'dlr', url: dlrUrl, msgId: second.msgId, messageRef: second.id, payload: JSON.stringify({ status: 'sent', msgId: second.msgId }) }]);
    await storage.inbound.record(
      { wamid: 'wamid.GAMMA', accountId: 'gamma', sender: '919999999903', receivedAt: T0 + 8, kind: 'text', text: 'hi' },
      { callbacks: [{ accountId: 'gamma', kind: 'imo', url: imoUrl, messageRef: 'wamid.GAMMA', payload: '{}' }] },
    );
    const timeline = await get(`/v1/admin/messages/${second.id}`);
    expect(timeline.json().timeline.find((entry: { kind: string }) => entry.kind === 'callback')).toMatchObject({ outcome: 'pending', state: 'sent', url: 'https://wzrkt.example/…' });
    const inbound = await get('/v1/admin/inbound?account=gamma');
    expect(inbound.json().data[0].callback.url).toBe('https://wzrkt.example/…');
    expect(timeline.body + inbound.body).not.toMatch(/TENANT-TOKEN|secret/);
  });

  it('needs the admin token', async () => {
    for (const url of ['/v1/admin/messages', `/v1/admin/messages/${first.id}`, '/v1/admin/inbound']) {
      const response = await app.inject({ method: 'GET', url, headers: { authorization: 'Bearer wrong' } });
      expect(response.statusCode).toBe(401);
      expect(response.body).not.toContain(first.msgId);
    }
  });

  it('reads times as epoch milliseconds or ISO 8601, nothing else', () => {
    expect(parseTime('1764583200000')).toBe(1764583200000);
    expect(parseTime('2026-12-01T10:00:00Z')).toBe(T0);
    expect(parseTime('2026-13-45')).toBeUndefined();
    expect(parseTime('soon')).toBeUndefined();
  });
});
