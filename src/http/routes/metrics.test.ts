/**
 * `GET /metrics` on a running gateway: real CleverTap requests through the lean HTTP front and a
 * refused webhook are counted under their outcomes, the sends the built-in simulator took show
 * as sent with their Graph latency, and the scrape is served to loopback without the token, to
 * anyone else only with it (and to nobody else without one configured).
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, fixture, startTestGateway, type TestGateway } from '../../../test/support/gateway.js';

const TOKEN = 'metrics-admin-token-0123456789';
const REMOTE = '203.0.113.9';
const ROUTE = '/v1/clevertap/:accountId/messages';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(gateway: TestGateway): Promise<string> {
  const response = await request(`${gateway.url}/metrics`);
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.body.text();
}

describe('GET /metrics with admin.token', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ admin: { token: TOKEN } });
  });
  afterAll(async () => gateway.stop());

  it('counts what the gateway answered, accepted and sent', async () => {
    const auth = { authorization: `Bearer ${gateway.sandboxSecrets!.clevertapToken}` };
    const send = (index: number) => ({ ...fixture('clevertap/requests/freeform-text.json'), msgId: `metrics|${index}`, to: `9199${String(index).padStart(8, '0')}` });
    for (let index = 0; index < 3; index++) expect((await gateway.post('/v1/clevertap/sandbox/messages', send(index), auth)).json).toEqual({ status: 'success' });
    expect((await gateway.post('/v1/clevertap/sandbox/messages', send(9), { authorization: 'Bearer wrong' })).json).toMatchObject({ error: { code: 2000 } });
    expect((await gateway.post('/v1/clevertap/nobody-42/messages', send(10), auth)).status).toBe(404);
    expect((await gateway.post('/v1/whatsapp/webhook', '{}', { 'x-hub-signature-256': 'sha256=00' })).status).toBe(401);

    const sent = await eventually(async () => {
      const text = await scrape(gateway);
      return sample(text, 'wabridge_messages_sent_total{account="sandbox"}') === 3 ? text : undefined;
    }, 'three sends counted', 20_000);
    expect(sample(sent, `wabridge_requests_total{account="sandbox",route="${ROUTE}",outcome="success"}`)).toBe(3);
    expect(sample(sent, `wabridge_requests_total{account="sandbox",route="${ROUTE}",outcome="2000"}`)).toBe(1);
    expect(sample(sent, `wabridge_requests_total{account="",route="${ROUTE}",outcome="404"}`)).toBe(1);
    expect(sent).not.toContain('nobody-42');
    expect(sample(sent, 'wabridge_requests_total{account="",route="/v1/whatsapp/webhook",outcome="401"}')).toBe(1);
    expect(sample(sent, 'wabridge_webhooks_total{kind="bad_signature"}')).toBe(1);
    expect(sample(sent, 'wabridge_messages_accepted_total{account="sandbox"}')).toBe(3);
    expect(sample(sent, 'wabridge_graph_request_duration_seconds_count{account="sandbox"}')).toBe(3);
    expect(sample(sent, `wabridge_request_duration_seconds_count{route="${ROUTE}"}`)).toBe(5);
    expect(sample(sent, 'wabridge_store_commit_duration_seconds_count{writer="accept"}')).toBeGreaterThanOrEqual(1);
    expect(sample(sent, 'wabridge_store_commit_duration_seconds_count{writer="batch"}')).toBeGreaterThanOrEqual(1);
    expect(sent).toMatch(/^wabridge_queue_jobs\{queue="send",state="ready"\} \d+$/m);
    expect(sent).toMatch(/^wabridge_queue_oldest_age_seconds\{queue="callbacks"\} [\d.e+-]+$/m);
    expect(sent).toMatch(/^wabridge_template_sync_last_success_timestamp_seconds\{account="sandbox"\} \d+/m);
    expect(sent).toContain('wabridge_nodejs_eventloop_lag_seconds');
    // The simulator's status webhooks are counted by kind once they arrive.
    await eventually(async () => (sample(await scrape(gateway), 'wabridge_webhooks_total{kind="status"}') ?? 0) >= 3, 'status webhooks counted', 20_000);
  });

  it('asks a remote caller, or one behind a proxy, for the admin token', async () => {
    const remote = await gateway.app.inject({ url: '/metrics', remoteAddress: REMOTE });
    expect(remote.statusCode).toBe(401);
    expect(remote.headers['www-authenticate']).toContain('Bearer');
    expect(remote.json()).toEqual({ message: expect.stringContaining('admin token'), errors: [] });
    const proxied = await gateway.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': REMOTE } });
    expect(proxied.statusCode).toBe(401);
    const withToken = await gateway.app.inject({ url: '/metrics', remoteAddress: REMOTE, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(withToken.statusCode).toBe(200);
    expect(withToken.body).toContain('wabridge_requests_total');
    // Fastify's routes are counted by their pattern.
    expect(sample((await gateway.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).body, 'wabridge_requests_total{account="",route="/metrics",outcome="401"}')).toBe(2);
  });
});

describe('GET /metrics without admin.token', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ mode: 'production', accounts: [] });
  });
  afterAll(async () => gateway?.stop());

  it('serves loopback and refuses everyone else', async () => {
    expect((await gateway.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
    const remote = await gateway.app.inject({ url: '/metrics', remoteAddress: REMOTE });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().message).toContain('loopback');
  });
});
