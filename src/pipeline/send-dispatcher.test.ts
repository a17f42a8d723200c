/**
 * The send dispatcher's lanes following accounts that change at runtime, over a real SQLite
 * store and the real Meta simulator: a lane added for a new account sends, a lane made on demand
 * when work is announced for an account without one sends, and a deleted account's retiring lane
 * sends everything it had accepted before the sweep closes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.js';
import type { MetaSimulator } from '../sim/meta/index.js';
import { startTestSim, TOKEN } from '../sim/meta/test-support.js';
import { SEND_QUEUE } from '../store/effects.js';
import { sampleMessage } from '../store/message-store.conformance.js';
import { createSqliteStorage, type SqliteStorage } from '../store/sqlite/create-sqlite-storage.js';
import { GraphClient } from '../whatsapp/graph-client.js';
import { SendDispatcher, type SendLaneConfig } from './send-dispatcher.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const NUMBERS = {
  acme: { phoneNumberId: '100000000000011', displayPhoneNumber: '919800000011', wabaId: '200000000000011' },
  late: { phoneNumberId: '100000000000012', displayPhoneNumber: '919800000012', wabaId: '200000000000012' },
};

async function setUp(options: { laneFor?: (accountId: string) => { lane: SendLaneConfig; retiring: boolean } | undefined } = {}) {
  const sim: MetaSimulator = await startTestSim({ phoneNumbers: Object.values(NUMBERS), pairRateLimit: false });
  cleanups.push(() => sim.close());
  const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-lanes-'));
  const store: SqliteStorage = await createSqliteStorage({ path: path.join(dir, 'db.sqlite') });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => store.close());
  const graph = new GraphClient({ graphBaseUrl: sim.graphBaseUrl, accessToken: TOKEN });
  cleanups.push(() => graph.close());
  const laneOf = (accountId: keyof typeof NUMBERS, messagesPerSecond = 50): SendLaneConfig => ({
    accountId,
    phoneNumberId: NUMBERS[accountId].phoneNumberId,
    messagesPerSecond,
    maxInFlight: 4,
    sender: graph,
  });
  const dispatcher = new SendDispatcher({
    store: store.messages,
    queue: store.queue,
    logger,
    lanes: [],
    leaseMs: 60_000,
    uncertainHoldMs: 60_000,
    maxAttempts: 3,
    maxAgeMs: 3_600_000,
    retireSweepMs: 100,
    ...(options.laneFor ? { laneFor: options.laneFor } : {}),
  });
  cleanups.push(() => dispatcher.stop());
  const accept = async (accountId: keyof typeof NUMBERS, count: number): Promise<string[]> => {
    const messages = Array.from({ length: count }, (_, index) => sampleMessage({
        accountId,
        to: `91970000${accountId.length}${String(index).padStart(3, '0')}`,
        // The simulator's seeded template, in its language.
        content: { kind: 'template', name: 'order_ready', language: 'en_GB', bodyParams: ['Ana'], buttons: [] },
        acceptedAt: Date.now(),
      }));
    await store.messages.acceptMessages(messages.map((message) => ({ message, effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: accountId, ref: message.id }] } })));
    return messages.map((message) => message.id);
  };
  const sentFrom = (accountId: keyof typeof NUMBERS) => sim.accepted().filter((send) => send.phoneNumberId === NUMBERS[accountId].phoneNumberId);
  return { sim, dispatcher, laneOf, accept, sentFrom };
}

describe('SendDispatcher lanes at runtime', () => {
  it('sends from a lane added after it started', async () => {
    const { dispatcher, laneOf, accept, sentFrom } = await setUp();
    dispatcher.start();
    const ids = await accept('acme', 3);
    dispatcher.setLane(laneOf('acme'));
    await eventually(() => sentFrom('acme').length === 3, 'the new lane to send');
    expect(sentFrom('acme').map((send) => send.bizOpaqueCallbackData).sort()).toEqual([...ids].sort());
  });

  it('makes the lane of an account it has none for when work for it is announced', async () => {
    let asked = 0;
    const lanes: Record<string, SendLaneConfig> = {};
    const { dispatcher, laneOf, accept, sentFrom } = await setUp({
      laneFor: (accountId) => {
        asked++;
        const lane = lanes[accountId];
        return lane && { lane, retiring: false };
      },
    });
    lanes['late'] = laneOf('late');
    dispatcher.start();
    await accept('late', 2);
    dispatcher.wake('unknown');
    dispatcher.wake('late');
    await eventually(() => sentFrom('late').length === 2, 'the lane made on demand to send');
    expect(asked).toBe(2);
    expect(dispatcher.laneIds()).toEqual(['late']);
  });

  it('lets a deleted account\'s lane send everything it accepted, then closes it', async () => {
    const { dispatcher, laneOf, accept, sentFrom } = await setUp();
    // Two a second: the queue still holds most of them when the account is deleted.
    dispatcher.setLane(laneOf('acme', 2));
    dispatcher.start();
    await accept('acme', 5);
    dispatcher.retireLane('acme');
    expect(sentFrom('acme').length).toBeLessThan(5);
    await eventually(() => sentFrom('acme').length === 5, 'every accepted message to be sent', 15_000);
    await eventually(() => !dispatcher.laneIds().includes('acme'), 'the sweep to close the drained lane');
    expect(dispatcher.stats.submitted).toBe(5);
  });

  it('takes a lane back out of retirement when its account is back', async () => {
    const { dispatcher, laneOf, accept, sentFrom } = await setUp();
    dispatcher.setLane(laneOf('acme'));
    dispatcher.retireLane('acme');
    dispatcher.setLane(laneOf('acme', 20));
    // A deleted account with nothing queued: its lane closing shows a sweep ran.
    dispatcher.setLane(laneOf('late'));
    dispatcher.retireLane('late');
    dispatcher.start();
    await eventually(() => !dispatcher.laneIds().includes('late'), 'a sweep to close the idle retiring lane');
    expect(dispatcher.laneIds()).toEqual(['acme']);
    await accept('acme', 2);
    dispatcher.wake('acme');
    await eventually(() => sentFrom('acme').length === 2, 'the account back to send');
  });
});
