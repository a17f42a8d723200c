/**
 * @module sim/meta/template-events
 * The `value` of a `message_template_status_update` webhook (meta-cloud-api.md §3.6) for a
 * status change made through the simulator, shaped like Meta's reference: `event` is the new
 * status, `message_template_id` an integer, `reason` "NONE" unless given (null for a scheduled
 * deletion), plus `other_info` for pauses and unpauses, `disable_info` for a disable and
 * `rejection_info` when asked for.
 */
import type { TemplateStatus } from './default-templates.js';
import type { StoredTemplate } from './templates.js';

export const TEMPLATE_STATUS_FIELD = 'message_template_status_update';

/** Optional parts of the webhook; everything else is derived from the change. */
export interface TemplateStatusDetails {
  /** `reason`. Default "NONE", or null for PENDING_DELETION as Meta sends for scheduled deletions. */
  reason?: string | null;
  /**
   * `other_info`. Default: FIRST_PAUSE (then SECOND_PAUSE) when a template is paused, UNPAUSE
   * when a paused template is approved again, none otherwise.
   */
  otherInfo?: { title: string; description: string };
  /** `rejection_info`, which Meta adds to some REJECTED events (reason INVALID_FORMAT). */
  rejectionInfo?: { reason: string; recommendation: string };
}

const PAUSE_HOURS = [3, 6];

/**
 * @param pauses how many times the template has been paused, this change included (for
 *   FIRST_PAUSE / SECOND_PAUSE).
 */
export function templateStatusValue(
  template: StoredTemplate,
  previous: TemplateStatus,
  details: TemplateStatusDetails,
  pauses: number,
  nowMs: number,
): Record<string, unknown> {
  const status = template.status;
  const value: Record<string, unknown> = {
    event: status,
    message_template_id: integerId(template.id),
    message_template_name: template.name,
    message_template_language: template.language,
    reason: details.reason !== undefined ? details.reason : status === 'PENDING_DELETION' ? null : 'NONE',
    message_template_category: template.category,
  };
  if (status === 'DISABLED') value.disable_info = { disable_date: Math.floor(nowMs / 1000) };
  const otherInfo = details.otherInfo ?? defaultOtherInfo(status, previous, pauses, nowMs);
  if (otherInfo) value.other_info = otherInfo;
  if (details.rejectionInfo) value.rejection_info = details.rejectionInfo;
  return value;
}

function defaultOtherInfo(
  status: TemplateStatus,
  previous: TemplateStatus,
  pauses: number,
  nowMs: number,
): { title: string; description: string } | undefined {
  if (status === 'PAUSED') {
    const first = pauses <= 1;
    const hours = PAUSE_HOURS[first ? 0 : 1] as number;
    const until = new Date(nowMs + hours * 3_600_000).toISOString();
    return {
      title: first ? 'FIRST_PAUSE' : 'SECOND_PAUSE',
      description: `Your WhatsApp message template has been paused for ${hours} hours until ${until} due to low quality.`,
    };
  }
  if (status === 'APPROVED' && previous === 'PAUSED') {
    return { title: 'UNPAUSE', description: 'Your WhatsApp message template has been unpaused.' };
  }
  return undefined;
}

/**
 * Meta sends the id as a JSON number (unlike every other id). An id that would not survive that
 * (not decimal, or beyond 2^53) stays a string rather than arriving corrupted.
 */
function integerId(id: string): number | string {
  const n = Number(id);
  return /^[1-9]\d*$/.test(id) && Number.isSafeInteger(n) ? n : id;
}
