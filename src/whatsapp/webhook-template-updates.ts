/**
 * @module whatsapp/webhook-template-updates
 * Reads `message_template_status_update` changes (meta-cloud-api.md §3.6) out of a Cloud API
 * webhook: a template was approved, rejected, paused, disabled, flagged, reinstated… Lenient
 * like the other webhook parsers: only an id and an event are required, numbers and strings
 * are both accepted, and a malformed change is reported, never thrown, so it cannot cost the
 * valid ones in the same delivery. A skipped change comes back whole in `skipped`, for the intake
 * to keep for inspection.
 */
import type { TemplateStatus } from '../domain/template.js';
import { asString, describeValue, isRecord, type SkippedItem } from './json-values.js';

export const TEMPLATE_STATUS_UPDATE_FIELD = 'message_template_status_update';

export interface TemplateStatusUpdate {
  /** `entry[].id`: the WhatsApp Business Account the template belongs to. */
  wabaId?: string;
  /** `entry[].time` in epoch milliseconds (Meta sends integer seconds). */
  at?: number;
  /** `message_template_id`, which Meta sends as a JSON number, as a string. */
  templateId: string;
  name?: string;
  /**
   * `message_template_language` verbatim. Usually the locale as listed (`en_US`), but Meta's
   * reference examples spell it `en-US`: compare normalised, or better, match by `templateId`.
   */
  language?: string;
  /** Meta's event verbatim, e.g. `APPROVED`, `PAUSED`, `FLAGGED`; see {@link templateStatusAfter}. */
  event: string;
  /** `message_template_category` (MARKETING, UTILITY, AUTHENTICATION). */
  category?: string;
  /** Absent when Meta says `"NONE"` or null (no reason, or a scheduled deletion). */
  reason?: string;
  /** `other_info.title`: FIRST_PAUSE, SECOND_PAUSE, RATE_LIMITING_PAUSE, UNPAUSE, DISABLED. */
  title?: string;
  /** `other_info.description`, human text. */
  description?: string;
  /** `disable_info.disable_date` in epoch milliseconds. */
  disabledAt?: number;
  /** `rejection_info.reason`: what is wrong with a rejected template, human text. */
  rejectionDetail?: string;
  /** `rejection_info.recommendation`, human text. */
  recommendation?: string;
}

export interface ParsedTemplateUpdates {
  updates: TemplateStatusUpdate[];
  /** Why changes were skipped (for the log). */
  problems: string[];
  /** The skipped changes' values. */
  skipped: SkippedItem[];
}

/**
 * Every `message_template_status_update` change in a webhook body, in order. Changes of other
 * fields are ignored without a problem, so the same body can go through every webhook parser.
 */
export function parseWebhookTemplateUpdates(body: unknown): ParsedTemplateUpdates {
  const updates: TemplateStatusUpdate[] = [];
  const problems: string[] = [];
  const skipped: SkippedItem[] = [];
  const entries = isRecord(body) && Array.isArray(body['entry']) ? body['entry'] : [];
  if (entries.length === 0) problems.push('no entry[] in the webhook body');
  entries.forEach((entry, e) => {
    if (!isRecord(entry)) return;
    const changes = Array.isArray(entry['changes']) ? entry['changes'] : [];
    changes.forEach((change, c) => {
      if (!isRecord(change) || change['field'] !== TEMPLATE_STATUS_UPDATE_FIELD) return;
      let parsed: TemplateStatusUpdate | { error: string };
      try {
        parsed = parseTemplateStatusChange(change['value'], entry);
      } catch (error) {
        // Nothing in the parser should throw; if something does, it costs this change only.
        parsed = { error: `unreadable (${error instanceof Error ? error.name : 'error'})` };
      }
      if (!('error' in parsed)) return void updates.push(parsed);
      const where = `entry[${e}].changes[${c}]`;
      problems.push(`${where}: ${parsed.error}`);
      const wabaId = asString(entry['id']);
      skipped.push({ where, reason: parsed.error, item: change['value'], ...(wabaId ? { wabaId } : {}) });
    });
  });
  return { updates, problems, skipped };
}

/**
 * One change's `value`. `entry` (optional) supplies `wabaId` from its `id` and `at` from its
 * `time`; a value alone parses too.
 */
export function parseTemplateStatusChange(
  value: unknown,
  entry?: { id?: unknown; time?: unknown },
): TemplateStatusUpdate | { error: string } {
  if (!isRecord(value)) return { error: 'value is not an object' };
  const templateId = idOf(value['message_template_id']);
  if (!templateId) return { error: `no usable message_template_id (${describeValue(value['message_template_id'])})` };
  const event = asString(value['event']);
  if (!event) return { error: `template ${templateId}: no event` };

  const update: TemplateStatusUpdate = { templateId, event };
  const wabaId = asString(entry?.id);
  if (wabaId) update.wabaId = wabaId;
  const at = epochMs(entry?.time);
  if (at !== undefined) update.at = at;
  setString(update, 'name', value['message_template_name']);
  setString(update, 'language', value['message_template_language']);
  setString(update, 'category', value['message_template_category']);
  const reason = asString(value['reason']);
  if (reason && reason.toUpperCase() !== 'NONE') update.reason = reason;

  const other = value['other_info'];
  if (isRecord(other)) {
    setString(update, 'title', other['title']);
    setString(update, 'description', other['description']);
  }
  const disable = value['disable_info'];
  if (isRecord(disable)) {
    const disabledAt = epochMs(disable['disable_date']);
    if (disabledAt !== undefined) update.disabledAt = disabledAt;
  }
  const rejection = value['rejection_info'];
  if (isRecord(rejection)) {
    setString(update, 'rejectionDetail', rejection['reason']);
    setString(update, 'recommendation', rejection['recommendation']);
  }
  return update;
}

/**
 * The status a template has after `event`, or undefined when the event does not say: then keep
 * the status you have until the next template sync.
 *
 * - Events that are statuses (APPROVED, PENDING, REJECTED, PAUSED, DISABLED, IN_APPEAL,
 *   PENDING_DELETION, DELETED, LIMIT_EXCEEDED, ARCHIVED) are the new status.
 * - REINSTATED → APPROVED: Meta sends it when a flagged or disabled template "can be sent in
 *   template messages again", e.g. after a successful appeal.
 * - FLAGGED → undefined: a quality warning ("at risk of being disabled"); the template stays
 *   APPROVED and sendable, and a later PAUSED or DISABLED event will say if that changes.
 * - LOCKED → undefined: a locked template cannot be *edited*; sending is unaffected, and LOCKED
 *   is not a value of a template's `status`, so storing it would wrongly block sends.
 * - UNARCHIVED → undefined: the template returns to the status it had before it was archived,
 *   which the event does not carry. Keeping ARCHIVED until a sync re-reads it errs on the side of
 *   not sending; a consumer should sync that template soon.
 * - Anything else (an event Meta adds later) → undefined, for the same reason.
 */
export function templateStatusAfter(event: string): TemplateStatus | undefined {
  const upper = event.trim().toUpperCase();
  if (STATUS_EVENTS.has(upper)) return upper;
  return upper === 'REINSTATED' ? 'APPROVED' : undefined;
}

const STATUS_EVENTS: ReadonlySet<string> = new Set([
  'APPROVED',
  'PENDING',
  'REJECTED',
  'PAUSED',
  'DISABLED',
  'IN_APPEAL',
  'PENDING_DELETION',
  'DELETED',
  'LIMIT_EXCEEDED',
  'ARCHIVED',
]);

type StringKeys = { [K in keyof TemplateStatusUpdate]-?: TemplateStatusUpdate[K] extends string | undefined ? K : never }[keyof TemplateStatusUpdate];

function setString(update: TemplateStatusUpdate, key: StringKeys, raw: unknown): void {
  const value = asString(raw);
  if (value !== undefined) update[key] = value;
}

/**
 * Template ids are integers (a JSON number on the wire). A number is only trusted while it is a
 * safe integer: beyond 2^53 JSON.parse has already rounded it, and a wrong id is worse than none.
 */
function idOf(raw: unknown): string | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw > 0 ? String(raw) : undefined;
  const id = asString(raw)?.trim();
  return id && /^\d+$/.test(id) ? id : undefined;
}

/** Integer seconds (number or numeric string) → epoch milliseconds. */
function epochMs(raw: unknown): number | undefined {
  const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
