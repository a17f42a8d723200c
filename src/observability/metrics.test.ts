/**
 * The metrics as Prometheus reads them: what the meters record comes out under the documented
 * names and labels, histograms cumulative with `+Inf`, `_sum` and `_count`, scrape-time sources
 * read when scraped, unknown account ids folded into one label, and two gateways' registries apart.
 */
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from './metrics.js';
import { acceptMeter, callbackMeter, commitMeter, requestMeter, sendMeter, webhookMeter } from './meters.js';

const known = { isKnownAccount: (id: string) => id === 'acme' };

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('gateway metrics', () => {
  it('exposes requests by account, route and outcome, with their durations', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    const requests = requestMeter(metrics, known);
    const now = performance.now();
    requests.clevertap('acme', 0, now);
    requests.clevertap('acme', 0, now);
    requests.clevertap('acme', 2001, now);
    requests.clevertap('acme', 429, now);
    requests.clevertap('someone-probing-ids', 404, now);
    requests.webhook(200, now);
    requests.webhook(401, now);
    requests.route('/v1/admin/stats', undefined, 200, 0.003);
    const { body, contentType } = await metrics.scrape();
    expect(contentType).toMatch(/^text\/plain/);
    const route = '/v1/clevertap/:accountId/messages';
    expect(sample(body, `wabridge_requests_total{account="acme",route="${route}",outcome="success"}`)).toBe(2);
    expect(sample(body, `wabridge_requests_total{account="acme",route="${route}",outcome="2001"}`)).toBe(1);
    expect(sample(body, `wabridge_requests_total{account="acme",route="${route}",outcome="429"}`)).toBe(1);
    // An id from a URL that names no account is never a label of its own.
    expect(body).not.toContain('someone-probing-ids');
    expect(sample(body, `wabridge_requests_total{account="",route="${route}",outcome="404"}`)).toBe(1);
    expect(sample(body, 'wabridge_requests_total{account="",route="/v1/whatsapp/webhook",outcome="success"}')).toBe(1);
    expect(sample(body, 'wabridge_requests_total{account="",route="/v1/whatsapp/webhook",outcome="401"}')).toBe(1);
    expect(sample(body, 'wabridge_requests_total{account="",route="/v1/admin/stats",outcome="200"}')).toBe(1);
    expect(sample(body, `wabridge_request_duration_seconds_count{route="${route}"}`)).toBe(5);
    expect(sample(body, `wabridge_request_duration_seconds_bucket{le="+Inf",route="${route}"}`)).toBe(5);
    expect(sample(body, 'wabridge_request_duration_seconds_bucket{le="0.0025",route="/v1/admin/stats"}')).toBe(0);
    expect(sample(body, 'wabridge_request_duration_seconds_bucket{le="0.005",route="/v1/admin/stats"}')).toBe(1);
    expect(sample(body, 'wabridge_request_duration_seconds_sum{route="/v1/admin/stats"}')).toBeCloseTo(0.003);
    expect(body).toContain('# TYPE wabridge_request_duration_seconds histogram');
    expect(body).toContain('# TYPE wabridge_requests_total counter');
  });

  it('exposes messages, webhooks, callbacks, latencies and commits', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    const accept = acceptMeter(metrics);
    const send = sendMeter(metrics);
    const webhooks = webhookMeter(metrics);
    const callbacks = callbackMeter(metrics);
    const commit = commitMeter(metrics);
    accept.accepted('acme');
    accept.accepted('acme');
    accept.committed(0.0004);
    send.sent('acme');
    send.failed('acme', '131026');
    send.graphLatency('acme', 0.2);
    webhooks.items('status', 3);
    webhooks.items('bad_signature', 1);
    callbacks.callbacks('acme', 'delivered', 2);
    callbacks.lag(0.04);
    commit(0.002);
    const { body } = await metrics.scrape();
    expect(sample(body, 'wabridge_messages_accepted_total{account="acme"}')).toBe(2);
    expect(sample(body, 'wabridge_messages_sent_total{account="acme"}')).toBe(1);
    expect(sample(body, 'wabridge_messages_failed_total{account="acme",code="131026"}')).toBe(1);
    expect(sample(body, 'wabridge_webhooks_total{kind="status"}')).toBe(3);
    expect(sample(body, 'wabridge_webhooks_total{kind="bad_signature"}')).toBe(1);
    expect(sample(body, 'wabridge_callbacks_total{account="acme",outcome="delivered"}')).toBe(2);
    expect(sample(body, 'wabridge_graph_request_duration_seconds_bucket{le="0.25",account="acme"}')).toBe(1);
    expect(sample(body, 'wabridge_callback_lag_seconds_bucket{le="0.05"}')).toBe(1);
    expect(sample(body, 'wabridge_store_commit_duration_seconds_count{writer="accept"}')).toBe(1);
    expect(sample(body, 'wabridge_store_commit_duration_seconds_count{writer="batch"}')).toBe(1);
  });

  it('reads queue depth and template sync state when scraped', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    let scrapes = 0;
    metrics.addScrapeSource({
      queueCounts: async () => {
        scrapes++;
        return [
          { queue: 'send', partitionKey: 'acme', ready: 5, scheduled: 1, leased: 2, dead: 0, oldestReadyAt: Date.now() - 30_000 },
          { queue: 'send', partitionKey: 'beta', ready: 3, scheduled: 0, leased: 0, dead: 1, oldestReadyAt: Date.now() - 90_000 },
          { queue: 'send', partitionKey: 'gamma', ready: 0, scheduled: 2, leased: 0, dead: 0, oldestReadyAt: null },
          { queue: 'callbacks', partitionKey: 'https://ct.example/dr?token=x', ready: 0, scheduled: 0, leased: 7, dead: 0, oldestReadyAt: null },
        ];
      },
      templateStatus: async () => [
        { accountId: 'acme', lastSuccessAt: 1_700_000_000_000, templateCount: 12 },
        { accountId: 'beta', lastError: 'HTTP 401', templateCount: 0 },
      ],
    });
    expect(scrapes).toBe(0);
    const { body } = await metrics.scrape();
    expect(scrapes).toBe(1);
    expect(sample(body, 'wabridge_queue_jobs{queue="send",state="ready"}')).toBe(8);
    expect(sample(body, 'wabridge_queue_jobs{queue="send",state="dead"}')).toBe(1);
    expect(sample(body, 'wabridge_queue_jobs{queue="callbacks",state="leased"}')).toBe(7);
    // The oldest ready job over the queue's partitions; none ready is 0.
    expect(sample(body, 'wabridge_queue_oldest_age_seconds{queue="send"}')).toBeGreaterThanOrEqual(90);
    expect(sample(body, 'wabridge_queue_oldest_age_seconds{queue="send"}')).toBeLessThan(120);
    expect(sample(body, 'wabridge_queue_oldest_age_seconds{queue="callbacks"}')).toBe(0);
    // Partitions (callback URLs carry tokens) are summed, never labels.
    expect(body).not.toContain('ct.example');
    expect(sample(body, 'wabridge_template_sync_last_success_timestamp_seconds{account="acme"}')).toBe(1_700_000_000);
    expect(sample(body, 'wabridge_template_sync_failing{account="beta"}')).toBe(1);
    expect(sample(body, 'wabridge_templates{account="acme"}')).toBe(12);
  });

  it('keeps each gateway in its own registry, and adds the process metrics', async () => {
    const first = new GatewayMetrics();
    const second = new GatewayMetrics();
    acceptMeter(first).accepted('acme');
    const [a, b] = await Promise.all([first.scrape(), second.scrape()]);
    expect(sample(a.body, 'wabridge_messages_accepted_total{account="acme"}')).toBe(1);
    expect(sample(b.body, 'wabridge_messages_accepted_total{account="acme"}')).toBeUndefined();
    for (const { body } of [a, b]) {
      expect(body).toContain('wabridge_nodejs_eventloop_lag_seconds');
      expect(body).toContain('wabridge_process_resident_memory_bytes');
    }
  });
});
