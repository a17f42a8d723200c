/**
 * @module test/fuzz/target
 * The gateway under fuzz: a real one (test/support/gateway.ts: real sockets, real SQLite, the Meta
 * simulator behind it in sandbox mode), with a CleverTap simulator receiving its callbacks and
 * click tracking on, so hostile input reaches every stage that can echo or store it. Finishes each
 * fuzz request with this gateway's secrets (CleverTap token, app secret, media signature).
 */
import { createHmac } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { startClevertapSimulator, type ClevertapSimulator } from '../../src/sim/clevertap/index.js';
import type { SeedTemplate } from '../../src/sim/meta/default-templates.js';
import { signWebhookBody } from '../../src/whatsapp/signature.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bodyBytes, type FuzzRequest, type MediaSignature } from './cases.js';
import type { GeneratorContext } from './generators.js';
import { exchange, type RawResponse } from './raw-http.js';

const TOKEN = 'fuzz-clevertap-token';
/** The configuration's default, set explicitly so generators know where "oversized" starts. */
const BODY_LIMIT_BYTES = 256 * 1024;
const ACCOUNT_ID = 'sandbox';
const TRACKED_TEMPLATE = 'multi_button_offer_tracked';
const TRACKED_TEMPLATE_DEFINITION: SeedTemplate = {
  name: TRACKED_TEMPLATE,
  language: 'en',
  category: 'MARKETING',
  components: [
    { type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['4::YXBwbGljYXRpb24vcGRm:ARc2'] } },
    { type: 'BODY', text: 'Hey {{1}}, This is a test template', example: { body_text: [['0']] } },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'COPY_CODE', text: 'Copy offer code', example: 'SAMPLECODE' },
        { type: 'URL', text: 'Visit App', url: 'https://t.example.com/c/{{1}}', example: ['https://t.example.com/c/abc'] },
        { type: 'URL', text: 'Check Out Now', url: 'https://shop.example.com' },
        { type: 'QUICK_REPLY', text: 'Show more' },
        { type: 'QUICK_REPLY', text: 'Not Now' },
        { type: 'QUICK_REPLY', text: 'STOP' },
      ],
    },
  ],
};

/** Replaced in a body by a value no earlier case used. */
const UNIQUE = '{{unique}}';
/** A code no link has: the tap of a case whose send made no link. */
const NO_SUCH_CODE = 'nosuchcode1';

export interface SentRequest {
  request: FuzzRequest;
  /** The bytes the body had on the wire. */
  body: Buffer;
  response: RawResponse;
}

export interface FuzzTarget {
  gateway: TestGateway;
  clevertap: ClevertapSimulator;
  context: Omit<GeneratorContext, 'exclude'>;
  /** Sends the steps of one case in order; the click code of an earlier step's send feeds a later tap. */
  send(request: FuzzRequest, state: { msgId?: string }): Promise<SentRequest>;
  /** `/healthz`'s status, within the case timeout. */
  health(): Promise<number>;
  /** Forgets what the simulators have recorded, so their memory does not count as the gateway's. */
  resetSimulators(): void;
  close(): Promise<void>;
}

export async function startFuzzTarget(options: { timeoutMs?: number } = {}): Promise<FuzzTarget> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const clevertap = await startClevertapSimulator({ maxRecords: 1_000 });
  let gateway: TestGateway;
  try {
    gateway = await startTestGateway({
      server: { host: '127.0.0.1', port: 0, bodyLimitBytes: BODY_LIMIT_BYTES },
      accounts: [
        {
          id: ACCOUNT_ID,
          wabaNumber: '919888888888',
          clevertap: {
            auth: { kind: 'bearer', token: TOKEN },
            deliveryReportUrl: clevertap.deliveryReportUrl(ACCOUNT_ID),
            inboundMessageUrl: clevertap.inboundMessageUrl(ACCOUNT_ID),
            clickTracking: { enabled: true, baseUrl: 'https://t.example.com' },
          },
        },
      ],
    });
  } catch (error) {
    await clevertap.close();
    throw error;
  }
  const account = gateway.accounts[0]!;
  const secrets = gateway.sandboxSecrets!;
  // Click tracking needs a template whose URL button is on the tracking domain (test/click-tracking.test.ts).
  const addTrackedTemplate = () => gateway.simulator!.upsertTemplate(TRACKED_TEMPLATE_DEFINITION);
  addTrackedTemplate();
  const synced = await gateway.templates.sync(ACCOUNT_ID);
  if (!synced.ok) throw new Error(`template sync failed: ${JSON.stringify(synced)}`);

  const port = Number(new URL(gateway.url).port);
  // Read-only, beside the gateway's own connection (WAL): only to learn the code a send was given.
  const db = new Database(path.join(gateway.dataDir, 'wabridge.db'), { readonly: true, fileMustExist: true });
  const codeFor = db.prepare('SELECT code FROM click_links WHERE msg_id = ? ORDER BY created_at DESC LIMIT 1').pluck();

  const signature = (accountId: string, mediaId: string, expiry: string) =>
    createHmac('sha256', secrets.mediaSigningSecret).update(`${accountId}.${mediaId}.${expiry}`).digest('base64url');

  /** Signed the way http/media-url-signer.ts signs (by hand: the case chooses the expiry), then tampered with. */
  function mediaTarget(media: MediaSignature): string {
    const expiry = String(Math.floor(Date.now() / 1000) + media.expiresIn);
    const query = new URLSearchParams({ a: media.account, e: expiry, s: signature(media.account, media.mediaId, expiry) });
    let mediaId = media.mediaId;
    switch (media.tamper) {
      case 'signature':
        query.set('s', `${query.get('s')!.slice(0, -2)}AA`);
        break;
      case 'expiry':
        query.set('e', String(Number(expiry) + 3600));
        break;
      case 'account':
        query.set('a', media.account === ACCOUNT_ID ? 'other' : ACCOUNT_ID);
        break;
      case 'missing':
        query.delete('s');
        break;
      case 'repeated':
        query.append('s', query.get('s')!);
        break;
      case 'media':
        mediaId = `${mediaId}1`;
        break;
      case 'none':
        break;
    }
    return `/v1/media/${encodeURIComponent(mediaId)}?${query.toString()}`;
  }

  const health = new Pool(gateway.url, { connections: 1 });
  let unique = 0;
  return {
    gateway,
    clevertap,
    context: { accountId: ACCOUNT_ID, phoneNumberId: account.whatsapp.phoneNumberId, trackedTemplate: TRACKED_TEMPLATE, bodyLimitBytes: BODY_LIMIT_BYTES },
    async send(request, state) {
      let body = bodyBytes(request.body);
      if (body.includes(UNIQUE)) body = Buffer.from(body.toString('latin1').replaceAll(UNIQUE, `${Date.now().toString(36)}${(unique++).toString(36)}`), 'latin1');
      let target = request.target;
      if (target === '{{media}}' && request.media) target = mediaTarget(request.media);
      if (target.includes('{{clickCode}}')) {
        const code = state.msgId === undefined ? undefined : (codeFor.get(state.msgId) as string | undefined);
        target = target.replace('{{clickCode}}', code ?? NO_SUCH_CODE);
      }
      target = target.replace('%7B%7BverifyToken%7D%7D', encodeURIComponent(secrets.webhookVerifyToken));
      const lines = [`${request.method} ${target} HTTP/1.1`, `host: 127.0.0.1:${port}`];
      for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
      if (request.auth === 'valid') lines.push(`authorization: Bearer ${TOKEN}`);
      if (request.auth === 'wrong') lines.push('authorization: Bearer not-the-token');
      if (request.sign === 'valid') lines.push(`x-hub-signature-256: ${signWebhookBody(secrets.appSecret, body)}`);
      if (request.sign === 'wrong') lines.push(`x-hub-signature-256: ${signWebhookBody('not-the-app-secret', body)}`);
      const framing = request.framing ?? (body.length > 0 || request.method === 'POST' ? 'length' : 'none');
      const response = await exchange({
        port,
        head: lines.join('\r\n'),
        body,
        framing,
        ...(request.chunkSize !== undefined ? { chunkSize: request.chunkSize } : {}),
        isHead: request.method === 'HEAD',
        timeoutMs,
      });
      // The msgId this send carried, for a later tap on its link.
      const msgId = /"msgId":"([^"]*)"/.exec(body.subarray(0, 100_000).toString('utf8'))?.[1];
      if (msgId !== undefined) state.msgId = msgId;
      return { request, body, response };
    },
    async health() {
      const response = await health.request({ method: 'GET', path: '/healthz', headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      await response.body.dump();
      return response.statusCode;
    },
    resetSimulators() {
      gateway.simulator?.reset();
      clevertap.reset();
      addTrackedTemplate();
    },
    async close() {
      db.close();
      await health.close();
      await gateway.stop();
      await clevertap.close();
    },
  };
}
