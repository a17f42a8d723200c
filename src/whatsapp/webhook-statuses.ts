/**
 * @module whatsapp/webhook-statuses
 * Reads the status updates out of a Cloud API webhook (`entry[].changes[].value.statuses[]`),
 * tolerating anything else in the envelope. Malformed items are reported, not thrown, so one
 * bad item never costs the valid ones in the same batch; a skipped item comes back whole in
 * `skipped`, for the intake to keep for inspection.
 */
import type { DeliveryFailure } from '../domain/failure.js';
import { metaErrorRule } from './errors.js';
import { asFiniteNumber, asString, describeValue, isRecord, type SkippedItem } from './json-values.js';

export type MetaStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusUpdate {
  phoneNumberId: string;
  wamid: string;
  status: MetaStatus;
  /** Epoch milliseconds (Meta sends seconds). */
  at: number;
  recipientId?: string;
  /** What we sent as `biz_opaque_callback_data`: our message id. */
  bizOpaqueCallbackData?: string;
  failure?: DeliveryFailure;
}

export interface ParsedStatuses {
  updates: StatusUpdate[];
  /** Why items were skipped (for the log). */
  problems: string[];
  /** The skipped items themselves. */
  skipped: SkippedItem[];
}

const STATUS_ALIASES: Readonly<Record<string, MetaStatus>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  // A voice message being played is at least as far along as read.
  played: 'read',
  failed: 'failed',
};

export function parseWebhookStatuses(body: unknown): ParsedStatuses {
  const updates: StatusUpdate[] = [];
  const problems: string[] = [];
  const skipped: SkippedItem[] = [];
  const entries = isRecord(body) && Array.isArray(body['entry']) ? body['entry'] : [];
  if (entries.length === 0) problems.push('no entry[] in the webhook body');
  entries.forEach((entry, e) => {
    const changes = isRecord(entry) && Array.isArray(entry['changes']) ? entry['changes'] : [];
    changes.forEach((change, c) => {
      const value = isRecord(change) ? change['value'] : undefined;
      if (!isRecord(value) || !Array.isArray(value['statuses'])) return;
      const metadata = value['metadata'];
      const phoneNumberId = isRecord(metadata) ? asString(metadata['phone_number_id']) : undefined;
      if (!phoneNumberId) {
        const where = `entry[${e}].changes[${c}]`;
        problems.push(`${where}: no metadata.phone_number_id`);
        skipped.push({ where, reason: 'no metadata.phone_number_id', item: value });
        return;
      }
      value['statuses'].forEach((item: unknown, s: number) => {
        const where = `entry[${e}].changes[${c}].statuses[${s}]`;
        let update: StatusUpdate | string;
        try {
          update = parseStatus(item, phoneNumberId);
        } catch (error) {
          // Nothing above should throw; if something does, it costs this item only.
          update = `unreadable (${error instanceof Error ? error.name : 'error'})`;
        }
        if (typeof update !== 'string') return void updates.push(update);
        problems.push(`${where}: ${update}`);
        skipped.push({ where, reason: update, item, phoneNumberId });
      });
    });
  });
  return { updates, problems, skipped };
}

function parseStatus(item: unknown, phoneNumberId: string): StatusUpdate | string {
  if (!isRecord(item)) return 'not an object';
  const wamid = asString(item['id']);
  if (!wamid) return 'no id';
  const name = typeof item['status'] === 'string' ? item['status'].toLowerCase() : '';
  // Own keys only: `constructor` or `__proto__` must not read as a status.
  const status = Object.hasOwn(STATUS_ALIASES, name) ? STATUS_ALIASES[name] : undefined;
  if (!status) return `unknown status ${describeValue(item['status'])}`;
  const seconds = asFiniteNumber(item['timestamp']);
  const update: StatusUpdate = { phoneNumberId, wamid, status, at: seconds !== undefined && seconds > 0 ? seconds * 1000 : Date.now() };
  const recipientId = asString(item['recipient_id']);
  if (recipientId) update.recipientId = recipientId;
  const opaque = asString(item['biz_opaque_callback_data']);
  if (opaque) update.bizOpaqueCallbackData = opaque;
  if (status === 'failed') update.failure = failureOf(item['errors']);
  return update;
}

function failureOf(errors: unknown): DeliveryFailure {
  const first = Array.isArray(errors) && isRecord(errors[0]) ? errors[0] : undefined;
  const code = first ? asFiniteNumber(first['code']) : undefined;
  if (!first || code === undefined) return { reason: 'other', title: 'Failed without an error code' };
  const rule = metaErrorRule(code);
  const failure: DeliveryFailure = { reason: rule.reason, metaCode: code, title: asString(first['title']) ?? asString(first['message']) ?? rule.title };
  const details = isRecord(first['error_data']) ? asString(first['error_data']['details']) : undefined;
  if (details) failure.detail = details;
  return failure;
}
