/**
 * @module pipeline/webhook-intake
 * Everything the gateway decides about one signed `POST` from Meta's webhook, without the HTTP
 * framework: the signature over the raw bytes, the JSON, which account each item belongs to,
 * and applying statuses, inbound messages and template updates. The fastify route and the lean
 * HTTP front (http/fast-route.ts) both carry its answer, so they cannot answer differently.
 *
 * An item is applied only for an account whose app secret signed the delivery. Everything applied
 * is committed before the answer, so a 200 means Meta need not send it again.
 */
import type { Logger } from 'pino';
import type { ResolvedAccount } from '../config/accounts.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../whatsapp/signature.js';
import { parseWebhookMessages } from '../whatsapp/webhook-messages.js';
import { parseWebhookStatuses } from '../whatsapp/webhook-statuses.js';
import { parseWebhookTemplateUpdates, templateStatusAfter } from '../whatsapp/webhook-template-updates.js';
import type { InboundIngest } from './inbound-ingest.js';
import type { StatusIngest } from './status-ingest.js';
import type { TemplateStatusChange } from './template-catalog.js';

/** `body` is sent as JSON; `reason` becomes a problem body (`{"message","reason"}`). */
export type WebhookAnswer = { status: 200; body: string } | { status: 400 | 401; reason: string };

export interface WebhookIntakeOptions {
  accounts: readonly ResolvedAccount[];
  statusIngest: StatusIngest;
  inboundIngest: InboundIngest;
  /** A template's status changed at Meta (`message_template_status_update`). */
  onTemplateStatus?(accountId: string, change: TemplateStatusChange): Promise<void>;
  log: Logger;
}

export interface WebhookIntake {
  handle(headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: unknown): Promise<WebhookAnswer>;
}

const OK: WebhookAnswer = { status: 200, body: '{"status":"ok"}' };
const BAD_SIGNATURE: WebhookAnswer = { status: 401, reason: 'missing or invalid X-Hub-Signature-256' };
const NOT_JSON: WebhookAnswer = { status: 400, reason: 'the webhook body is not valid JSON' };
const EMPTY = Buffer.alloc(0);

export function createWebhookIntake(options: WebhookIntakeOptions): WebhookIntake {
  const { statusIngest, inboundIngest, onTemplateStatus, log } = options;
  const byPhoneNumberId = new Map(options.accounts.map((account) => [account.whatsapp.phoneNumberId, account]));
  const byWabaId = new Map<string, ResolvedAccount[]>();
  for (const account of options.accounts) byWabaId.set(account.whatsapp.wabaId, [...(byWabaId.get(account.whatsapp.wabaId) ?? []), account]);
  const appSecrets = [...new Set(options.accounts.map((account) => account.whatsapp.appSecret))];

  return {
    async handle(headers, rawBody) {
      const raw = Buffer.isBuffer(rawBody) ? rawBody : EMPTY;
      const header = headers[SIGNATURE_HEADER];
      const signature = Array.isArray(header) ? header[0] : header;
      const signedBy = new Set(appSecrets.filter((secret) => verifyWebhookSignature(secret, raw, signature)));
      if (signedBy.size === 0) {
        log.warn({ bytes: raw.length, hasSignature: Boolean(signature) }, 'webhook rejected: missing or invalid X-Hub-Signature-256');
        return BAD_SIGNATURE;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        log.warn({ bytes: raw.length }, 'webhook rejected: signed body is not JSON');
        return NOT_JSON;
      }

      const accountOf = (phoneNumberId: string) => {
        const account = byPhoneNumberId.get(phoneNumberId);
        if (!account) {
          log.warn({ phoneNumberId }, 'webhook item for a phone number id no account uses; ignored');
          return undefined;
        }
        if (!signedBy.has(account.whatsapp.appSecret)) {
          log.warn({ phoneNumberId }, 'webhook item not signed by its account\'s app secret; ignored');
          return undefined;
        }
        return account;
      };

      const { updates, problems } = parseWebhookStatuses(body);
      for (const item of problems) log.debug({ problem: item }, 'webhook item skipped');
      const applicable = updates.filter((update) => accountOf(update.phoneNumberId) !== undefined);
      const inbound = parseWebhookMessages(body);
      for (const item of inbound.problems) log.debug({ problem: item }, 'webhook message skipped');
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
      if (applicable.length === 1) await statusIngest.apply(applicable[0]!);
      else if (applicable.length > 1) await Promise.all(applicable.map((update) => statusIngest.apply(update)));
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
      return OK;
    },
  };
}
