import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startClevertapSimulator, type ClevertapSimulator } from './index.js';
import { postJson } from './test-support.js';

/** Fault windows run on this clock, so a test ends one exactly when it says, however busy the machine. */
let clockMs = Date.now();
let sim: ClevertapSimulator;
beforeAll(async () => {
  sim = await startClevertapSimulator({ faultClock: () => clockMs });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const body = (n = 1) => ({ payloadVersion: '0.1', statuses: [{ msgId: `${n}|42|20241114|${n}`, status: 'sent', timestamp: '1647441774' }] });

describe('fault windows', () => {
  it.each([500, 503, 429] as const)('failFor(%i) refuses callbacks, records attempts outside the funnel, and ends on time', async (status) => {
    sim.failFor({ status, durationMs: 200 });
    const during = await postJson(sim.deliveryReportUrl(), body(1));
    expect(during.status).toBe(status);
    expect(sim.rejectedBodies()).toMatchObject([{ kind: 'fault', status, path: '/dlr', body: body(1) }]);
    expect(sim.funnel('42').sent).toBe(0);
    clockMs += 199;
    expect((await postJson(sim.deliveryReportUrl(), body(2))).status).toBe(status);
    clockMs += 1;
    expect((await postJson(sim.deliveryReportUrl(), body(2))).status).toBe(200);
    expect(sim.funnel('42').sent).toBe(1);
  });

  it('timeoutFor holds requests until the client gives up, then ends on time', async () => {
    sim.timeoutFor({ durationMs: 300 });
    const t0 = Date.now();
    await expect(postJson(sim.inboundMessageUrl(), {}, { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(sim.rejectedBodies()).toMatchObject([{ kind: 'fault', status: 0, path: '/imo' }]);
    clockMs += 300;
    expect((await postJson(sim.deliveryReportUrl(), body())).status).toBe(200);
  });

  it('timeoutFor drops the connection after holdMs when the client waits longer', async () => {
    sim.timeoutFor({ durationMs: 1000, holdMs: 100 });
    const t0 = Date.now();
    await expect(postJson(sim.deliveryReportUrl(), body())).rejects.toThrow();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    expect(Date.now() - t0).toBeLessThan(1000);
    sim.healthy();
    expect((await postJson(sim.deliveryReportUrl(), body())).status).toBe(200);
  });

  it('slowFor delays answers but still accepts and counts, and ends on time', async () => {
    sim.slowFor({ delayMs: 500, durationMs: 250 });
    let t0 = Date.now();
    expect((await postJson(sim.deliveryReportUrl(), body(1))).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(490);
    expect(sim.funnel('42').sent).toBe(1);
    clockMs += 250;
    t0 = Date.now();
    expect((await postJson(sim.deliveryReportUrl(), body(2))).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(490);
  });

  it('healthy() ends a window early', async () => {
    sim.failFor({ status: 503, durationMs: 60_000 });
    expect((await postJson(sim.deliveryReportUrl(), body())).status).toBe(503);
    sim.healthy();
    expect((await postJson(sim.deliveryReportUrl(), body())).status).toBe(200);
  });

  it('can be steered through the control API', async () => {
    const control = (path: string, b: unknown) => postJson(`${sim.url}/_sim/${path}`, b);
    expect((await control('fail', { status: 429, durationMs: 60_000 })).status).toBe(200);
    expect((await postJson(sim.deliveryReportUrl(), body())).status).toBe(429);
    expect((await control('healthy', {})).status).toBe(200);
    expect((await control('slow', { delayMs: 1, durationMs: 10 })).status).toBe(200);
    expect((await control('timeout', { durationMs: 0 })).status).toBe(200);
    expect((await control('fail', { status: 418, durationMs: 10 })).body).toEqual({ error: 'failFor: status must be 500, 503 or 429, got 418' });
    expect((await control('slow', { durationMs: 10 })).status).toBe(400);
    expect((await postJson(sim.deliveryReportUrl(), body())).status).toBe(200);
    expect((await control('reset', {})).status).toBe(200);
    expect(sim.deliveryReports()).toEqual([]);
    expect(sim.rejectedBodies()).toEqual([]);
  });
});
