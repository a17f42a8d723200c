import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetaSimulator } from '../sim/meta/index.js';
import { DISPLAY, PHONE_ID, TOKEN, startTestSim } from '../sim/meta/test-support.js';
import { verifyGraphCredentials, type GraphTarget } from './verify-graph.js';

let sim: MetaSimulator;
let target: GraphTarget;

beforeAll(async () => {
  sim = await startTestSim();
  target = { graphBaseUrl: sim.graphBaseUrl, accessToken: TOKEN, phoneNumberId: PHONE_ID, wabaNumber: DISPLAY };
});
afterAll(async () => sim.close());

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('verifyGraphCredentials against the Meta simulator', () => {
  it('verifies a token, phone number id and number that belong together', async () => {
    expect(await verifyGraphCredentials(target)).toEqual({ kind: 'verified', displayPhoneNumber: DISPLAY, verifiedName: 'wabridge Simulator' });
  });

  it('pins a refused token (190) on whatsapp.accessToken', async () => {
    const outcome = await verifyGraphCredentials({ ...target, accessToken: 'EAAG-wrong-token' });
    expect(outcome).toEqual({ kind: 'invalid', errors: [{ field: 'whatsapp.accessToken', message: expect.stringContaining('#190') }] });
    expect(JSON.stringify(outcome)).not.toContain('EAAG-wrong-token');
  });

  it('pins an unknown phone number id (100/33) on whatsapp.phoneNumberId', async () => {
    expect(await verifyGraphCredentials({ ...target, phoneNumberId: '999999999999999' })).toEqual({
      kind: 'invalid',
      errors: [{ field: 'whatsapp.phoneNumberId', message: expect.stringContaining('999999999999999') }],
    });
  });

  it('pins a number that is not the phone number id\'s on wabaNumber', async () => {
    expect(await verifyGraphCredentials({ ...target, wabaNumber: '15550783881' })).toEqual({
      kind: 'invalid',
      errors: [{ field: 'wabaNumber', message: `the phone number id belongs to ${DISPLAY} (${DISPLAY}), not 15550783881` }],
    });
  });

  it('says Meta is unreachable when nothing listens', async () => {
    const outcome = await verifyGraphCredentials({ ...target, graphBaseUrl: `http://127.0.0.1:${await closedPort()}/v23.0` });
    expect(outcome).toEqual({ kind: 'unreachable', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('says Meta is unreachable when it does not answer in time', async () => {
    sim.setNetworkFault({ mode: 'hang' });
    try {
      expect(await verifyGraphCredentials(target, { timeoutMs: 300 })).toEqual({ kind: 'unreachable', reason: expect.any(String) });
    } finally {
      sim.setNetworkFault({ mode: 'none' });
    }
  });
});
