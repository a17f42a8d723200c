/**
 * @module domain/delivery-report
 * One status event for a message CleverTap sent, as reported back on its delivery-report
 * callback. Protocol-neutral: `clevertap/callbacks.ts` turns a batch of these into the wire body.
 */
import type { DeliveryFailure } from './failure.js';

export const DELIVERY_REPORT_STATUSES = ['sent', 'delivered', 'read', 'failed', 'clicked'] as const;
export type DeliveryReportStatus = (typeof DELIVERY_REPORT_STATUSES)[number];

/** A tap on a click-tracked URL button, as recorded by the gateway's redirect. */
export interface ClickDetails {
  /** The destination the user was sent on to. */
  url: string;
  /** The tracking URL the user actually tapped. */
  shortUrl: string;
  userAgent: string;
}

export interface DeliveryReport {
  /** CleverTap's msgId, verbatim. */
  msgId: string;
  status: DeliveryReportStatus;
  /** Epoch milliseconds of the event (not of the report). */
  at: number;
  /** Present when `status` is `failed`. */
  failure?: DeliveryFailure;
  /** Present when `status` is `clicked`. */
  click?: ClickDetails;
}
