/**
 * @module pipeline/delivery-reports
 * Which delivery reports a state change owes CleverTap. Meta skips states (a user with the chat
 * open produces only `read`; webhooks arrive out of order), but CleverTap's funnel counts each
 * stage from its own report: a message read without a `delivered` report would be Viewed yet
 * never Delivered. So a jump reports every stage it passed, in order, with the jump's time.
 * `submitted` (Meta accepted the request) is not a CleverTap status: CleverTap counted the message
 * as Sent when we answered its request.
 */
import type { DeliveryReport, DeliveryReportStatus } from '../domain/delivery-report.js';
import { STATE_RANK } from '../domain/status.js';
import type { StateChange } from '../store/message-store.js';

const REPORTED_STAGES: readonly DeliveryReportStatus[] = ['sent', 'delivered', 'read'];

export function reportsForChange(change: StateChange): DeliveryReport[] {
  if (change.state === 'failed') {
    const report: DeliveryReport = { msgId: change.msgId, status: 'failed', at: change.at };
    if (change.failure) report.failure = change.failure;
    return [report];
  }
  const from = STATE_RANK[change.previous];
  const to = STATE_RANK[change.state];
  return REPORTED_STAGES.filter((stage) => {
    const rank = STATE_RANK[stage as 'sent' | 'delivered' | 'read'];
    return rank > from && rank <= to;
  }).map((status) => ({ msgId: change.msgId, status, at: change.at }));
}
