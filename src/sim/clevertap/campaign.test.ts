import { afterEach, describe, expect, it } from 'vitest';
import { buildPayload, runCampaign } from './index.js';
import { startStandIn, type Answer, type StandIn } from './test-support.js';

const SUCCESS = '{"status":"success"}';
const FAILURE_2001 = '{"status":"failure","error":{"code":2001,"message":"Invalid template parameters"}}';

let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

/** The 1-based message number CleverTap's msgId `i|campaign|batch|j` starts with. */
const numberOf = (body: any): number => Number(String(body.msgId ?? body.msg_id).split('|')[0]);

describe('runCampaign', () => {
  it('counts every kind of answer exactly, with a 1 s CleverTap timeout', async () => {
    standIn = await startStandIn((body): Answer => {
      const n = numberOf(body);
      if (n % 10 === 3) return { status: 200, body: FAILURE_2001 };
      if (n % 10 === 7) return { status: 200, body: SUCCESS, delayMs: 1150 };
      if (n % 20 === 9) return { status: 429, body: '{"message":"Too many requests to process"}' };
      if (n % 20 === 19) return { status: 503, body: '{}' };
      return { status: 200, body: SUCCESS };
    });
    const result = await runCampaign({
      endpoint: standIn.url,
      auth: { kind: 'bearer', token: 'ct-token' },
      campaignId: '1639561857',
      batchId: '20241114',
      count: 40,
      concurrency: 20,
      payloadMix: { 'template-image-dynamic-url': 3, 'freeform-text': 1 },
    });

    expect(result).toMatchObject({ count: 40, sent: 28, failedByCode: { '2001': 4 }, timeouts: 4, http429: 2, http5xx: 2, otherErrors: 0 });
    expect(result.shapes).toEqual({ 'template-image-dynamic-url': 30, 'freeform-text': 10 });
    const expectedIds = Array.from({ length: 40 }, (_, i) => i + 1)
      .filter((n) => ![3, 7].includes(n % 10) && ![9, 19].includes(n % 20))
      .map((n) => `${n}|1639561857|20241114|${n}`);
    expect(result.msgIds).toEqual(expectedIds);
    expect(new Set(result.msgIds).size).toBe(28);
    expect(result.latencyMs.p50).toBeLessThan(500);
    expect(result.latencyMs.max).toBeLessThanOrEqual(1000);

    expect(standIn.requests).toHaveLength(40);
    expect(standIn.maxInFlight).toBeLessThanOrEqual(20);
    expect(new Set(standIn.requests.map((r) => r.body.to)).size).toBe(40);
    for (const r of standIn.requests) {
      expect(r.headers.authorization).toBe('Bearer ct-token');
      expect(r.headers['content-type']).toBe('application/json');
      const n = numberOf(r.body);
      const shape = r.body.isTemplate ? 'template-image-dynamic-url' : 'freeform-text';
      expect(r.body).toEqual(buildPayload(shape, { to: r.body.to, wabaNumber: '919888888888', msgId: `${n}|1639561857|20241114|${n}` }));
    }
  });

  it('sends basic and custom-header auth, custom recipients and the WABA number', async () => {
    standIn = await startStandIn(() => ({ status: 200, body: SUCCESS }));
    await runCampaign({
      endpoint: standIn.url + '?tenant=a',
      auth: { kind: 'basic', username: 'key', password: 'secret' },
      campaignId: 'c1',
      count: 1,
      recipients: () => '+919000000001',
      wabaNumber: '919777777777',
      payloadMix: { 'template-video-header': 1 },
    });
    await runCampaign({
      endpoint: standIn.url,
      auth: { kind: 'headers', headers: { Token: 'haptik-token' } },
      campaignId: 'c2',
      count: 1,
      concurrency: 1,
    });
    const [basic, custom] = standIn.requests;
    expect(basic?.headers.authorization).toBe(`Basic ${Buffer.from('key:secret').toString('base64')}`);
    expect(basic?.body).toMatchObject({ to: '+919000000001', wabaNumber: '919777777777', template: { namespace: 'video_teaser' } });
    expect(custom?.headers.token).toBe('haptik-token');
  });

  it('counts unreadable answers, other statuses and refused connections as other errors', async () => {
    standIn = await startStandIn((body) => {
      const n = numberOf(body);
      if (n === 1) return { status: 403, body: '{"message":"Bad Request"}' };
      if (n === 2) return { status: 200, body: 'OK' };
      return { status: 200, body: '{"status":"failure","error":{"message":"no code"}}' };
    });
    const result = await runCampaign({ endpoint: standIn.url, campaignId: 'x', count: 3, concurrency: 3 });
    expect(result).toMatchObject({ sent: 0, otherErrors: 3, msgIds: [] });
    expect([...result.otherSamples].sort()).toEqual([
      'HTTP 200, not JSON: OK',
      'HTTP 200, unexpected body: {"status":"failure","error":{"message":"no code"}}',
      'HTTP 403: {"message":"Bad Request"}',
    ]);

    const url = standIn.url;
    await standIn.close();
    standIn = undefined;
    const refused = await runCampaign({ endpoint: url, campaignId: 'x', count: 2, concurrency: 2 });
    expect(refused).toMatchObject({ sent: 0, otherErrors: 2, timeouts: 0 });
    expect(refused.otherSamples).toHaveLength(2);
  });

  it('spreads requests round-robin over the replicas of a cluster, as a load balancer would', async () => {
    standIn = await startStandIn(() => ({ status: 200, body: SUCCESS }));
    const second = await startStandIn(() => ({ status: 200, body: SUCCESS }));
    const third = await startStandIn(() => ({ status: 200, body: SUCCESS }));
    try {
      const result = await runCampaign({ endpoint: standIn.url, replicas: [second.url, third.url], campaignId: '42', count: 30, concurrency: 6 });
      expect(result.sent).toBe(30);
      const numbers = (replica: StandIn) => replica.requests.map((request) => numberOf(request.body)).sort((a, b) => a - b);
      expect(numbers(standIn)).toEqual(Array.from({ length: 10 }, (_, k) => 3 * k + 1));
      expect(numbers(second)).toEqual(Array.from({ length: 10 }, (_, k) => 3 * k + 2));
      expect(numbers(third)).toEqual(Array.from({ length: 10 }, (_, k) => 3 * k + 3));
    } finally {
      await Promise.all([second.close(), third.close()]);
    }
  });

  it('refuses bad options before sending', async () => {
    await expect(runCampaign({ endpoint: 'ftp://x', campaignId: 'c', count: 1 })).rejects.toThrow(/http\(s\) URL/);
    await expect(runCampaign({ endpoint: 'http://127.0.0.1:1', campaignId: 'a|b', count: 1 })).rejects.toThrow(/campaignId/);
    await expect(runCampaign({ endpoint: 'http://127.0.0.1:1', campaignId: 'c', count: 1, concurrency: 0 })).rejects.toThrow(/concurrency/);
  });
});
