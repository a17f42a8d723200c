import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { dashboardSource, type DashboardService } from '../../compose/dashboard.js';
import { CLEVERTAP_ROUTE } from '../../observability/meters.js';
import { GatewayMetrics } from '../../observability/metrics.js';
import { sampleMessage } from '../../store/message-store.conformance.js';
import { createSqliteStorage, type SqliteStorage } from '../../store/sqlite/create-sqlite-storage.js';
import { problem, validationProblem, type SchemaViolation } from '../problem.js';
import { adminDashboardRoutes, bucketsFor } from './admin-dashboard.js';

const TOKEN = 'admin-token-for-tests';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('admin dashboard route', () => {
  let app: FastifyInstance;
  let storage: SqliteStorage;
  let service: DashboardService;
  const metrics = new GatewayMetrics({ processMetrics: false });
  // Now, at the end of a bucket-aligned hour, so the default range is exactly the seeded hour.
  const NOW = Date.parse('2026-12-01T11:00:00Z');
  const T0 = NOW - 3600_000;
  const read = sampleMessage({ msgId: '1|4242|20261201|1', to: '919999999901', acceptedAt: T0 + 15_000 });
  const failed = sampleMessage({ msgId: '2|4242|20261201|2', to: '919999999902', acceptedAt: T0 + 25_000 });
  const other = sampleMessage({ accountId: 'beta', msgId: '3|77|20261201|3', to: '919999999903', acceptedAt: T0 + 35_000 });

  beforeAll(async () => {
    storage = await createSqliteStorage({ path: ':memory:' });
    await storage.messages.acceptMessages([read, failed, other].map((message) => ({ message })));
    await storage.messages.recordSubmitted(read.id, 'wamid.1', T0 + 16_000, 150);
    await storage.messages.advanceState(read.id, 'read', T0 + 20_000);
    await storage.messages.advanceState(failed.id, 'failed', T0 + 26_000, { failure: { reason: 'invalid_phone', metaCode: 131026, title: 'Message undeliverable' } });
    await storage.inbound.record({ wamid: 'wamid.IN', accountId: 'acme', sender: read.to, receivedAt: T0 + 60_000, contextMsgId: read.msgId });
    service = dashboardSource(storage, metrics);
    // The process answered CleverTap twice (50 ms each) and delivered a callback 2 s late.
    metrics.requestDuration.cell({ route: CLEVERTAP_ROUTE }).observe(0.05);
    metrics.requestDuration.cell({ route: CLEVERTAP_ROUTE }).observe(0.05);
    metrics.callbackLag.cell({}).observe(2);
    app = Fastify();
    app.setErrorHandler((error: { validation?: SchemaViolation[]; validationContext?: string }, _request, reply) => {
      if (!error.validation) throw error;
      const invalid = validationProblem(error.validation, error.validationContext);
      return problem(reply, invalid.status, invalid.message, invalid.errors);
    });
    await app.register(adminDashboardRoutes, { token: TOKEN, dashboard: service, now: () => NOW });
    await app.ready();
  });
  afterAll(async () => {
    service.stop();
    await app.close();
    await storage.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: auth });

  it('answers the last hour by default: the funnel, failures with Meta titles, campaigns, and 10 s buckets', async () => {
    const response = await get('/v1/admin/dashboard');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.range).toEqual({ from: T0, to: NOW, bucketMs: 10_000 });
    expect(body.funnel).toEqual({ accepted: 3, sent: 1, delivered: 1, read: 1, failed: 1, replied: 1, clicked: 0 });
    expect(body.failures).toEqual([{ code: '131026', metaCode: 131026, reason: 'invalid_phone', title: 'Message undeliverable', count: 1 }]);
    expect(body.campaigns.map((row: { accountId: string; campaign: string }) => `${row.accountId}/${row.campaign}`)).toEqual(['beta/77', 'acme/4242']);
    expect(body.series).toHaveLength(360);
    expect(body.series.slice(0, 4).map((point: { accepted: number; sent: number }) => [point.accepted, point.sent])).toEqual([
      [0, 0],
      [1, 1],
      [1, 0],
      [1, 0],
    ]);
  });

  it("carries this process's answer time and callback lag in the bucket they were observed in", async () => {
    const body = (await get(`/v1/admin/dashboard?from=${Date.now() - 60_000}&to=${Date.now() + 1000}`)).json();
    const observed = body.series.filter((point: { answerP50?: number }) => point.answerP50 !== undefined);
    expect(observed).toHaveLength(1);
    expect(observed[0].answerP50).toBeGreaterThan(0.025);
    expect(observed[0].answerP50).toBeLessThanOrEqual(0.05);
    expect(observed[0].callbackLagP99).toBeGreaterThan(1);
    expect(observed[0].callbackLagP99).toBeLessThanOrEqual(2.5);
  });

  it('narrows to an account and a campaign; the campaigns stay the account’s for the picker', async () => {
    const body = (await get('/v1/admin/dashboard?account=acme&campaign=4242')).json();
    expect(body.funnel).toMatchObject({ accepted: 2, read: 1, failed: 1, replied: 1 });
    expect(body.campaigns.map((row: { campaign: string }) => row.campaign)).toEqual(['4242']);
    expect((await get('/v1/admin/dashboard?account=beta')).json().funnel).toMatchObject({ accepted: 1, sent: 0 });
  });

  it('takes ISO 8601 times, widening the buckets with the range', async () => {
    const body = (await get('/v1/admin/dashboard?from=2026-11-30T11:00:00Z&to=2026-12-01T11:00:00Z')).json();
    expect(body.range.bucketMs).toBe(300_000);
    expect(body.series).toHaveLength(288);
    expect(body.funnel.accepted).toBe(3);
  });

  it('answers 400 naming the field for a time it cannot read or a range that ends before it starts, 401 without the token', async () => {
    const bad = await get('/v1/admin/dashboard?from=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: 'from', message: '"yesterday" is neither epoch milliseconds nor an ISO 8601 time' }]);
    const backwards = await get(`/v1/admin/dashboard?from=${NOW}&to=${T0}`);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0].field).toBe('from');
    expect((await app.inject({ method: 'GET', url: '/v1/admin/dashboard' })).statusCode).toBe(401);
  });

  it('picks the narrowest bucket that keeps a range within 360 of them, aligned on its width', () => {
    expect(bucketsFor(1_000_005, 1_000_005 + 3600_000)).toEqual({ from: 1_000_000, bucketMs: 10_000 });
    expect(bucketsFor(0, 6 * 3600_000)).toEqual({ from: 0, bucketMs: 60_000 });
    expect(bucketsFor(0, 7 * 24 * 3600_000)).toEqual({ from: 0, bucketMs: 3600_000 });
  });
});
