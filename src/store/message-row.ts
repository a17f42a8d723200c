/**
 * @module store/message-row
 * A `messages` row as the SQL adapters read it, and the stored message it stands for. Times are
 * numbers from SQLite and decimal strings from Postgres (int8); both read as epoch ms here.
 */
import type { MessageState } from '../domain/status.js';
import type { StoredMessage } from './message-store.js';

type Time = number | string;

export interface MessageRow {
  id: string;
  account_id: string;
  msg_id: string;
  recipient: string;
  waba_number: string;
  content: string;
  custom_props: string | null;
  callbacks: string | null;
  state: MessageState;
  wamid: string | null;
  failure: string | null;
  accepted_at: Time;
  submitted_at: Time | null;
  sent_at: Time | null;
  delivered_at: Time | null;
  read_at: Time | null;
  failed_at: Time | null;
  updated_at: Time;
  campaign?: string | null;
  preflight?: string | null;
  submit_latency_ms?: number | null;
}

export function toStoredMessage(row: MessageRow): StoredMessage {
  const message: StoredMessage = {
    id: row.id,
    accountId: row.account_id,
    msgId: row.msg_id,
    to: row.recipient,
    wabaNumber: row.waba_number,
    content: JSON.parse(row.content),
    acceptedAt: Number(row.accepted_at),
    state: row.state,
    updatedAt: Number(row.updated_at),
  };
  if (row.custom_props) message.customProps = JSON.parse(row.custom_props);
  if (row.callbacks) message.callbacks = JSON.parse(row.callbacks);
  if (row.wamid) message.wamid = row.wamid;
  if (row.failure) message.failure = JSON.parse(row.failure);
  if (row.submitted_at !== null) message.submittedAt = Number(row.submitted_at);
  if (row.sent_at !== null) message.sentAt = Number(row.sent_at);
  if (row.delivered_at !== null) message.deliveredAt = Number(row.delivered_at);
  if (row.read_at !== null) message.readAt = Number(row.read_at);
  if (row.failed_at !== null) message.failedAt = Number(row.failed_at);
  if (row.campaign != null) message.campaign = row.campaign;
  if (row.preflight != null) message.preflight = row.preflight as StoredMessage['preflight'];
  if (row.submit_latency_ms != null) message.submitLatencyMs = row.submit_latency_ms;
  return message;
}
