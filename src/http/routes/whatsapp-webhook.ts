/**
 * @module http/routes/whatsapp-webhook
 * Meta's webhook: the `GET` verification handshake and signed `POST` deliveries. The signature
 * is checked over the raw bytes before anything is parsed; an item is applied only for an
 * account whose app secret signed the delivery. Everything applied is committed before the 200.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ResolvedAccount } from '../../config/accounts.js';
import type { StatusIngest } from '../../pipeline/status-ingest.js';
import type { InboundIngest } from '../../pipeline/inbound-ingest.js';
import { parseWebhookMessages } from '../../whatsapp/webhook-messages.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../whatsapp/signature.js';
import { parseWebhookStatuses } from '../../whatsapp/webhook-statuses.js';
import { parseWebhookTemplateUpdates, templateStatusAfter } from '../../whatsapp/webhook-template-updates.js';
import type { TemplateStatusChange } from '../../pipeline/template-catalog.js';
import { problem } from '../problem.js';
import { sameSecret } from '../constant-time.js';

export interface WhatsappWebhookOptions {
  accounts: readonly ResolvedAccount[];
  statusIngest: StatusIngest;
  inboundIngest: InboundIngest;
  /** A template's status changed at Meta (`message_template_status_update`). */
  onTemplateStatus?(accountId: string, change: TemplateStatusChange): Promise<void>;
}

export const WEBHOOK_PATH = '/v1/whatsapp/webhook';

export const whatsappWebhookRoutes: FastifyPluginAsync<WhatsappWebhookOptions> = async (app, { accounts, statusIngest, inboundIngest, onTemplateStatus }) => {
  const byPhoneNumberId = new Map(accounts.map((account) => [account.whatsapp.phoneNumberId, account]));
  const byWabaId = new Map<string, ResolvedAccount[]>();
  for (const account of accounts) byWabaId.set(account.whatsapp.wabaId, [...(byWabaId.get(account.whatsapp.wabaId) ?? []), account]);
  const appSecrets = [...new Set(accounts.map((account) => account.whatsapp.appSecret))];
  const verifyTokens = [...new Set(accounts.map((account) => account.whatsapp.webhookVerifyToken))];

  app.get<{ Querystring: Record<string, string | undefined> }>(WEBHOOK_PATH, async (request, reply) => {
    const mode = request.query['hub.mode'];
    const token = request.query['hub.verify_token'] ?? '';
    const challenge = request.query['hub.challenge'] ?? '';
    // Every token is compared, so the time taken does not say which (or whether one) matched.
    const matches = verifyTokens.map((expected) => sameSecret(token, expected)).some(Boolean);
    if (mode !== 'subscribe' || !matches) return problem(reply, 403, 'hub.mode must be subscribe and hub.verify_token must match an account');
    return reply.type('text/plain').send(challenge);
  });

  app.post(WEBHOOK_PATH, async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const header = request.headers[SIGNATURE_HEADER];
    const signature = Array.isArray(header) ? header[0] : header;
    const signedBy = new Set(appSecrets.filter((secret) => verifyWebhookSignature(secret, raw, signature)));
    if (signedBy.size === 0) {
      request.log.warn({ bytes: raw.length, hasSignature: Boolean(signature) }, 'webhook rejected: missing or invalid X-Hub-Signature-256');
      return problem(reply, 401, 'missing or invalid X-Hub-Signature-256');
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      request.log.warn({ bytes: raw.length }, 'webhook rejected: signed body is not JSON');
      return problem(reply, 400, 'the webhook body is not valid JSON');
    }

    const { updates, problems } = parseWebhookStatuses(body);
    for (const item of problems) request.log.debug({ problem: item }, 'webhook item skipped');
    const accountOf = (phoneNumberId: string) => {
      const account = byPhoneNumberId.get(phoneNumberId);
      if (!account) {
        request.log.warn({ phoneNumberId }, 'webhook item for a phone number id no account uses; ignored');
        return undefined;
      }
      if (!signedBy.has(account.whatsapp.appSecret)) {
        request.log.warn({ phoneNumberId }, 'webhook item not signed by its account\'s app secret; ignored');
        return undefined;
      }
      return account;
    };
    const applicable = updates.filter((update) => accountOf(update.phoneNumberId) !== undefined);
    const inbound = parseWebhookMessages(body);
    for (const item of inbound.problems) request.log.debug({ problem: item }, 'webhook message skipped');
    // In order: a user's messages reach the inbox in the order they were written.
    for (const message of inbound.messages) {
      const account = accountOf(message.accountPhoneNumberId);
      if (!account) continue;
      const target = {
        id: account.id,
        wabaNumber: account.wabaNumber,
        stopKeywords: account.clevertap.stopKeywords,
        startKeywords: account.clevertap.startKeywords,
        ...(account.clevertap.inboundMessageUrl ? { inboundMessageUrl: account.clevertap.inboundMessageUrl } : {}),
        ...(account.clevertap.upload ? { upload: { url: account.clevertap.upload.url } } : {}),
      };
      await inboundIngest.apply(target, message);
    }
    // Applied together, so their writes share one commit; the store keeps each message monotone
    // whatever the order within the batch.
    await Promise.all(applicable.map((update) => statusIngest.apply(update)));
    if (onTemplateStatus && raw.includes('message_template_status_update')) {
      // Template updates name the WABA (entry.id), not a phone number: every account on it is told.
      for (const update of parseWebhookTemplateUpdates(body).updates) {
        // FLAGGED (a quality warning) and LOCKED (no edits) leave sending as it was.
        if (update.event === 'FLAGGED' || update.event === 'LOCKED') continue;
        for (const account of byWabaId.get(update.wabaId ?? '') ?? []) {
          if (!signedBy.has(account.whatsapp.appSecret)) continue;
          const change: TemplateStatusChange = { templateId: update.templateId, status: templateStatusAfter(update.event) };
          if (update.name !== undefined) change.name = update.name;
          if (update.language !== undefined) change.language = update.language;
          if (update.at !== undefined) change.at = update.at;
          await onTemplateStatus(account.id, change);
        }
      }
    }
    return reply.type('application/json').send('{"status":"ok"}');
  });
};

