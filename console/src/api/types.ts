/**
 * The shapes the admin API answers, as far as the console reads them. They mirror the server's
 * (src/config/schema.ts AccountSchema, the AccountView of the accounts API, the template
 * catalogue's status and the stats document); fields the console can live without are optional,
 * so an older gateway still renders.
 */
export type ClevertapAuth =
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'headers'; headers: Record<string, string> };

export interface AccountDocument {
  id: string;
  wabaNumber: string;
  defaultCountryCode?: string;
  clevertap: {
    auth: ClevertapAuth;
    deliveryReportUrl?: string;
    inboundMessageUrl?: string;
    [key: string]: unknown;
  };
  whatsapp: {
    graphBaseUrl?: string;
    phoneNumberId?: string;
    wabaId?: string;
    accessToken?: string;
    appSecret?: string;
    webhookVerifyToken?: string;
    [key: string]: unknown;
  };
}

export type ConnectAuth =
  | { kind: 'bearer'; header: string; value: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'headers'; headers: Record<string, string> };

export interface AccountConnect {
  clevertap: { endpoint: string; requestType: string; auth: ConnectAuth; templateImportUrl: string };
  meta: { webhookUrl: string; verifyToken: string };
}

/** Health as the accounts API reports it, when it does (ISO strings). */
export interface AccountHealth {
  lastSendAt?: string | number;
  lastWebhookAt?: string | number;
  /** Callbacks waiting to reach the account's CleverTap URLs. */
  callbacksOwed?: number;
  templates?: { state: 'synced' | 'syncing' | 'failed' | 'rate-limited' | 'not-synced'; lastSyncAt?: string; error?: string };
}

export interface AccountView extends AccountDocument {
  source: 'file' | 'store';
  readOnly: boolean;
  version?: number;
  createdAt?: string;
  updatedAt?: string;
  connect?: AccountConnect;
  health?: AccountHealth;
}

export interface TemplateSyncStatus {
  accountId: string;
  lastAttemptAt?: number;
  lastSuccessAt?: number;
  lastError?: string;
  templateCount: number;
  syncing: boolean;
  rateLimitedUntil?: number;
  nextSyncAt?: number;
}

/** One component of a template as Meta lists it (HEADER, BODY, FOOTER, BUTTONS, CAROUSEL…). */
export interface TemplateComponent {
  type: string;
  format?: string;
  text?: string;
  buttons?: { type: string; text: string; url?: string; phone_number?: string; example?: unknown }[];
  cards?: { components: TemplateComponent[] }[];
  example?: unknown;
  [key: string]: unknown;
}

export interface TemplateView {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format?: string;
  components: TemplateComponent[];
}

export interface CallbackEndpoint {
  url: string;
  consecutiveFailures: number;
  blockedUntil: number;
  lastError?: string;
  delivered: number;
  deadLettered: number;
}

/** Jobs of one queue partition: the send queue's by account, the callback queue's by callback URL. */
export interface QueueCounts {
  queue: string;
  partitionKey: string;
  ready: number;
  scheduled: number;
  leased: number;
  dead: number;
  /** When the oldest ready job (due, not leased) was enqueued, epoch ms; null when none is ready. */
  oldestReadyAt: number | null;
}

export interface StatsDocument {
  callbackEndpoints?: CallbackEndpoint[];
  messages?: Record<string, number>;
  queue?: QueueCounts[];
  rejectedWebhookItems?: number;
  [key: string]: unknown;
}

export const MESSAGE_STATES = ['accepted', 'submitted', 'sent', 'delivered', 'read', 'failed'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

export interface DeliveryFailure {
  reason: string;
  metaCode?: number;
  title: string;
  detail?: string;
}

export interface MessageSummary {
  id: string;
  accountId: string;
  msgId: string;
  campaign?: string;
  to: string;
  wabaNumber: string;
  contentKind: string;
  template?: string;
  state: MessageState;
  wamid?: string;
  failure?: DeliveryFailure;
  acceptedAt: number;
  updatedAt: number;
}

export interface Page<T> {
  data: T[];
  nextCursor?: string;
}

export interface TimelineEntry {
  at: number;
  kind: 'accepted' | 'preflight' | 'graph' | 'status' | 'callback' | 'click';
  outcome: string;
  state?: string;
  httpStatus?: number;
  code?: number;
  title?: string;
  latencyMs?: number;
  url?: string;
  wamid?: string;
  shortUrl?: string;
  userAgent?: string;
}

export interface StoredMessageView extends Omit<MessageSummary, 'contentKind' | 'template'> {
  content: { kind: string; [key: string]: unknown };
  customProps?: Record<string, unknown>;
  preflight?: string;
}

export interface MessageDetail {
  message: StoredMessageView;
  timeline: TimelineEntry[];
}

export interface InboundSummary {
  wamid: string;
  accountId: string;
  from: string;
  receivedAt: number;
  kind?: string;
  text?: string;
  mediaUrl?: string;
  contextMsgId?: string;
  callback?: { url: string; deliveredAt?: number; httpStatus?: number; lastError?: string; deadAt?: number };
}

export interface DeadLetter {
  id: string;
  accountId: string;
  kind: string;
  msgId?: string;
  url: string;
  attempts: number;
  deadAt: number;
  reason: string;
}
