import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetaSimulator } from './index.js';
import { PHONE_ID, TOKEN, startTestSim, text, waitFor } from './test-support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(): Promise<{ sim: MetaSimulator; pool: Pool }> {
  const sim = await startTestSim({ pairRateLimit: false });
  // Keep-alive, like the gateway's Graph client: a fault must also stop sockets opened before it.
  const pool = new Pool(sim.url, { connections: 4, headersTimeout: 2_000 });
  cleanups.push(() => sim.close(), () => pool.destroy());
  return { sim, pool };
}

type Outcome = { status: number; body: any } | { error: string };

async function send(pool: Pool, to: string, headersTimeout?: number): Promise<Outcome> {
  try {
    const response = await pool.request({
      method: 'POST',
      path: `/v23.0/${PHONE_ID}/messages`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(text(to)),
      ...(headersTimeout ? { headersTimeout } : {}),
    });
    return { status: response.statusCode, body: await response.body.json() };
  } catch (error) {
    return { error: (error as { code?: string }).code ?? (error as Error).message };
  }
}

describe('network faults', () => {
  it('refuse closes the port (and the sockets already open); none listens again on the same port', async () => {
    const { sim, pool } = await setup();
    expect(await send(pool, '16505550001')).toMatchObject({ status: 200 });
    await sim.setNetworkFault({ mode: 'refuse' });
    expect(await send(pool, '16505550002')).toEqual({ error: 'ECONNREFUSED' });
    await sim.setNetworkFault({ mode: 'none' });
    expect(await send(pool, '16505550003')).toMatchObject({ status: 200 });
    expect(sim.accepted().map((s) => s.waId)).toEqual(['16505550001', '16505550003']);
  });

  it('reset drops every new connection before HTTP sees it: nothing is accepted', async () => {
    const { sim, pool } = await setup();
    expect(await send(pool, '16505550001')).toMatchObject({ status: 200 });
    await sim.setNetworkFault({ mode: 'reset' });
    const failed = await send(pool, '16505550002');
    expect(failed).toHaveProperty('error');
    expect(sim.networkFault().counts.reset).toBeGreaterThan(0);
    await sim.setNetworkFault({ mode: 'none' });
    expect(await send(pool, '16505550003')).toMatchObject({ status: 200 });
    expect(sim.accepted()).toHaveLength(2);
  });

  it('hang accepts connections and never answers; lifting it cuts them, and nothing was accepted', async () => {
    const { sim, pool } = await setup();
    await sim.setNetworkFault({ mode: 'hang' });
    expect(await send(pool, '16505550001', 300)).toEqual({ error: 'UND_ERR_HEADERS_TIMEOUT' });
    const stillHanging = send(pool, '16505550002', 60_000);
    await waitFor(() => sim.networkFault().counts.hung >= 2, 5_000, 'the second connection to hang');
    await sim.setNetworkFault({ mode: 'none' });
    expect(await stillHanging).toHaveProperty('error');
    expect(sim.accepted()).toHaveLength(0);
    expect(await send(pool, '16505550003')).toMatchObject({ status: 200 });
  });

  it('slow accepts on arrival and answers late, so a client that gives up has an uncertain send', async () => {
    const { sim, pool } = await setup();
    await sim.setNetworkFault({ mode: 'slow', latencyMs: 1_000 });
    expect(await send(pool, '16505550001', 200)).toEqual({ error: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(sim.accepted().map((s) => s.waId)).toEqual(['16505550001']);
    const started = Date.now();
    expect(await send(pool, '16505550002')).toMatchObject({ status: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(sim.networkFault()).toMatchObject({ mode: 'slow', latencyMs: 1_000 });
  });

  it('the control API sets a fault that lifts itself after forMs, answering before it starts', async () => {
    const { sim, pool } = await setup();
    const put = await fetch(`${sim.url}/_sim/network`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'refuse', forMs: 300 }) });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ mode: 'refuse', latencyMs: 0, forMs: 300 });
    await waitFor(() => sim.networkFault().mode === 'refuse', 2_000, 'the fault to start');
    expect(await send(pool, '16505550001')).toEqual({ error: 'ECONNREFUSED' });
    await waitFor(() => sim.networkFault().mode === 'none', 5_000, 'the fault to lift');
    expect(await send(pool, '16505550002')).toMatchObject({ status: 200 });
    const bad = await fetch(`${sim.url}/_sim/network`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'slow' }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'slow needs latencyMs' });
  });
});
