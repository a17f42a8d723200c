/**
 * The disk fills up under a real gateway process: its store lives on a small tmpfs, which a
 * filler file fills while CleverTap keeps sending. New messages must be refused in a way CleverTap
 * retries or counts as failed (never `success` without a commit), the process must keep answering
 * (`/healthz`, and `/readyz` with 503 while the store cannot write), recover by itself once the
 * filler is deleted, and deliver to Meta every message it acknowledged before, during and after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetaSimulator, type MetaSimulator } from '../src/sim/meta/index.js';
import { CleverTapSender, recipient, type Answer } from './support/clevertap-sender.js';
import { eventually } from './support/gateway.js';
import { freePort, spawnGateway, writeConfig, type GatewayProcess } from './support/process.js';
import { fillDisk, mountTmpfs, removeFile, type Tmpfs } from './support/tmpfs.js';

const PHONE_NUMBER_ID = '109000000000002';
const WABA_ID = '209000000000002';
const SECRETS = { accessToken: 'disk-test-token', appSecret: 'disk-test-app-secret', verify: 'disk-verify', clevertap: 'ct-disk-token' };
/** Slow enough that work accepted before the disk fills is still queued when it does. */
const MESSAGES_PER_SECOND = 100;
const BEFORE = 300;

let workDir: string;
let store: Tmpfs | string;
let simulator: MetaSimulator;
let gatewayPort: number;
let gatewayUrl: string;
let gateway: GatewayProcess | undefined;
let sender: CleverTapSender;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'wabridge-diskfull-'));
  store = mountTmpfs(path.join(workDir, 'store'), 24);
  gatewayPort = await freePort();
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  simulator = await startMetaSimulator({
    accessToken: SECRETS.accessToken,
    appSecret: SECRETS.appSecret,
    phoneNumbers: [{ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '919888888888', wabaId: WABA_ID, messagesPerSecond: 5000 }],
    webhookUrl: `${gatewayUrl}/v1/whatsapp/webhook`,
    statusDelays: { sentMs: 50, deliveredMs: 100, readMs: null },
    // A webhook refused while the disk is full comes back soon after it has room again.
    webhookRetry: { initialMs: 200, factor: 2, maxMs: 1000 },
    pairRateLimit: false,
  });
  sender = new CleverTapSender(gatewayUrl, 'disk', SECRETS.clevertap);
}, 60_000);

afterAll(async () => {
  await gateway?.kill();
  await sender?.close();
  await simulator?.close();
  if (typeof store !== 'string') store?.unmount();
  rmSync(workDir, { recursive: true, force: true });
});

async function get(pathname: string): Promise<{ status: number; body: string }> {
  const response = await request(`${gatewayUrl}${pathname}`, { headersTimeout: 5_000, bodyTimeout: 5_000 });
  return { status: response.statusCode, body: await response.body.text() };
}

describe('disk full under a real gateway process', () => {
  it('refuses new messages while the disk is full, stays up, recovers by itself and loses nothing it acknowledged', async (context) => {
    if (typeof store === 'string') return context.skip(store);
    const configFile = writeConfig(path.join(workDir, 'config.json'), {
      mode: 'sandbox',
      server: { host: '127.0.0.1', port: gatewayPort },
      store: { path: path.join(store.dir, 'wabridge.db') },
      // Sends cut off by the full disk (sent, but the wamid not recorded) come back soon as uncertain.
      dispatcher: { leaseMs: 3000, uncertainHoldMs: 2000 },
      accounts: [
        {
          id: 'disk',
          wabaNumber: '919888888888',
          clevertap: { auth: { kind: 'bearer', token: SECRETS.clevertap } },
          whatsapp: {
            graphBaseUrl: simulator.graphBaseUrl,
            phoneNumberId: PHONE_NUMBER_ID,
            wabaId: WABA_ID,
            accessToken: SECRETS.accessToken,
            appSecret: SECRETS.appSecret,
            webhookVerifyToken: SECRETS.verify,
            messagesPerSecond: MESSAGES_PER_SECOND,
          },
        },
      ],
    });
    gateway = await spawnGateway(configFile, gatewayUrl);
    const answers = new Map<number, Answer>();
    const record = (batch: Map<number, Answer>) => batch.forEach((answer, i) => answers.set(i, answer));

    // Before: a backlog the dispatcher is still working through when the disk fills.
    const before = await sender.sendRange(0, BEFORE);
    record(before);
    expect([...before.values()].every((answer) => answer.kind === 'success')).toBe(true);
    expect(simulator.accepted().length).toBeLessThan(BEFORE);

    // Full: CleverTap keeps sending until the gateway has refused a good number of messages and
    // says it is not ready. Writes that still fit in the WAL may succeed for a while; that is fine.
    const filler = path.join(store.dir, 'filler');
    const filled = fillDisk(filler);
    let next = BEFORE;
    let sawNotReady: { status: number; body: string } | undefined;
    await eventually(
      async () => {
        record(await sender.sendRange(next, next + 50, 10));
        next += 50;
        const ready = await get('/readyz');
        if (ready.status === 503) sawNotReady = ready;
        const refused = [...answers.values()].filter((answer) => answer.kind === 'refused').length;
        return sawNotReady !== undefined && refused >= 20;
      },
      'the full disk to refuse messages and take the gateway out of readiness',
      25_000,
    );
    const duringFull = next;
    expect(sawNotReady!.body).toMatch(/"status":"unavailable".*the store cannot write: the disk is full/);
    expect(sawNotReady!.body).not.toContain(store.dir); // /readyz is unauthenticated: no file paths
    // Still serving what needs no commit.
    expect(await get('/healthz')).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect((await get('/readyz')).status).toBe(503);
    expect(gateway.child.exitCode).toBeNull();

    // Space returns: readiness comes back with no CleverTap traffic at all (a load balancer sends
    // none to a gateway that is not ready), and new messages are accepted without a restart.
    removeFile(filler);
    await eventually(async () => (await get('/readyz')).status === 200, '/readyz to recover by itself', 15_000);
    const after = await sender.sendRange(duringFull, duringFull + 200);
    record(after);
    expect([...after.entries()].filter(([, answer]) => answer.kind !== 'success')).toEqual([]);

    const broken = [...answers.entries()].filter(([, answer]) => answer.kind === 'broken');
    expect(broken).toEqual([]);
    const acknowledged = [...answers.entries()].filter(([, answer]) => answer.kind === 'success').map(([i]) => recipient(i));
    const refused = [...answers.entries()].filter(([, answer]) => answer.kind === 'refused').map(([i]) => recipient(i));
    const missing = await eventually(
      () => {
        const atMeta = new Set(simulator.accepted().map((send) => send.waId));
        const stillMissing = acknowledged.filter((to) => !atMeta.has(to));
        return stillMissing.length === 0 ? stillMissing : undefined;
      },
      'every acknowledged message to reach Meta',
      30_000,
    );
    expect(missing).toEqual([]);
    // A refused message was not committed: nothing the gateway answered 5xx for reaches Meta.
    const atMeta = simulator.accepted().map((send) => send.waId);
    expect(atMeta.filter((to) => refused.includes(to))).toEqual([]);
    const perRecipient = new Map<string, number>();
    for (const to of atMeta) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    const duplicates = [...perRecipient.values()].filter((count) => count > 1).length;

    expect(gateway.output()).toContain('the store cannot write');
    expect(gateway.output()).toContain('the store writes again');
    console.info(
      `disk full: filler ${(filled / 2 ** 20).toFixed(1)} MB; ${acknowledged.length} acknowledged, ${refused.length} refused ` +
        `(${[...new Set(refused.map((to) => (answers.get(Number(to) - 919_000_000_000) as { status: number }).status))].join('/')}), ` +
        `all acknowledged at Meta, ${duplicates} sent twice`,
    );
  }, 120_000);
});
