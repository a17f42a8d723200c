/**
 * @module sim/meta/types
 * The simulator's public option and record types, kept apart so every module can import them
 * without import cycles.
 */
import type { ChaosOptions, ChaosSettings } from './chaos.js';
import type { NetworkFault, NetworkFaultStatus } from './network-faults.js';
import type { SeedTemplate, TemplateStatus } from './default-templates.js';
import type { VerifyWebhookResult } from './handshake.js';
import type { InboundInput } from './inbound.js';
import type { TemplateStatusDetails } from './template-events.js';
import type { HttpStatusMode } from './errors.js';
import type { StatusDelays } from './lifecycle.js';
import type { TruthEntry } from './truth.js';
import type { WebhookDeliveryRecord, WebhookRetryOptions } from './webhook-sender.js';

export interface SimPhoneNumber {
  phoneNumberId: string;
  displayPhoneNumber: string;
  wabaId: string;
  /** Throughput limit (default 80; Meta's upgraded tier is 1,000, coexistence numbers 20). */
  messagesPerSecond?: number;
}

/** The subset of a pino logger fastify needs. */
export interface PinoLike {
  info: (...args: unknown[]) => void;
  warn: (...args: unknown[]) => void;
  error: (...args: unknown[]) => void;
  debug: (...args: unknown[]) => void;
  fatal: (...args: unknown[]) => void;
  trace: (...args: unknown[]) => void;
  child: (...args: unknown[]) => unknown;
  level: string;
}

export interface MetaSimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  accessToken: string;
  appSecret: string;
  phoneNumbers: SimPhoneNumber[];
  /** Where signed webhooks are POSTed; settable later. */
  webhookUrl?: string;
  /** Default: DEFAULT_TEMPLATES. */
  templates?: readonly SeedTemplate[];
  /** Offsets from acceptance. Default 200/1000/2000 ms. */
  statusDelays?: StatusDelays;
  /** Group statuses into one POST. Default {maxStatuses: 100, lingerMs: 50}. */
  webhookBatch?: { maxStatuses: number; lingerMs: number };
  /** Compressed-clock retry schedule. Default 250 ms × 2, cap 10 s, max age 1 h. */
  webhookRetry?: Partial<WebhookRetryOptions>;
  /** Concurrent webhook POSTs. Default 32. */
  webhookConcurrency?: number;
  /**
   * WABA management calls (template listings) allowed per WABA: a bucket of `calls` refilled over
   * `windowMs`; beyond it Graph answers 80007. Default 5,000 an hour (Meta's budget for a WABA
   * with a registered number).
   */
  managementRateLimit?: { calls: number; windowMs: number };
  /** 131056 pair bucket on/off. Default on. */
  pairRateLimit?: boolean;
  /** §2.3. Default 'observed'. */
  httpStatusMode?: HttpStatusMode;
  /** Default: quiet. */
  logger?: false | PinoLike;
  /** How long a `GET /{media-id}` URL stays downloadable. Default 5 minutes. */
  mediaUrlTtlMs?: number;
  /** When `9993…` (offline) recipients get `delivered`. Default 60 s after acceptance. */
  offlineDeliveryMs?: number;
  /** Free-form sends outside a customer-service window fail async with 131047. Default off. */
  enforceCustomerWindow?: boolean;
  /** Recipients (wa_id digits) whose window is open on every number and never closes. */
  openWindows?: Iterable<string>;
  /** How long an injected inbound message keeps the customer-service window open. Default 24 h. */
  customerWindowMs?: number;
  /** Delivery anomalies (duplicates, out-of-order, skipped `delivered`, `delivered` after `failed`). Default all 0. */
  chaos?: ChaosOptions;
  /** Retained entries per log (accepted, rejected, webhook deliveries). Default 500,000. */
  recordLimit?: number;
  /** Scheduler resolution. Default 10 ms. */
  tickMs?: number;
}

export interface AcceptedSend {
  wamid: string;
  phoneNumberId: string;
  /** `to` exactly as sent. */
  to: string;
  /** Normalised digits. */
  waId: string;
  /** The parsed JSON request. */
  body: unknown;
  bizOpaqueCallbackData: string | undefined;
  at: number;
}

export interface RejectedSend {
  phoneNumberId: string;
  to?: string;
  code: number;
  /** HTTP status returned. */
  status: number;
  /** The parsed JSON request (undefined when it was not JSON). */
  body: unknown;
  /** The Graph error envelope returned. */
  error: unknown;
  at: number;
}

export type WebhookDelivery = WebhookDeliveryRecord;

export interface SimStats {
  accepted: number;
  rejected: { total: number; byCode: Record<string, number> };
  webhooks: { ok: number; failed: number; gaveUp: number; pending: number };
  scheduledStatuses: number;
  /** WABA management calls received (template listings), refused ones included. */
  managementCalls: number;
}

export interface MetaSimulator {
  /** e.g. http://127.0.0.1:43211 */
  url: string;
  /** `${url}/v23.0`; any `/vNN.0` prefix is accepted. */
  graphBaseUrl: string;
  setWebhookUrl(url: string | undefined): void;
  /**
   * Serves one more phone number (or updates one it serves), as Meta does once a number is
   * registered: a gateway adding an account at runtime tells its built-in simulator this way.
   */
  addPhoneNumber(phone: SimPhoneNumber): void;
  accepted(): AcceptedSend[];
  rejected(): RejectedSend[];
  webhookDeliveries(): WebhookDelivery[];
  /** Webhook deliveries queued, in flight or retrying (plus unflushed batches). */
  pendingWebhooks(): number;
  /** Statuses scheduled but not yet emitted. */
  scheduledStatuses(): number;
  stats(): SimStats;
  /** Media as if a user had sent it, for inbound tests. */
  addInboundMedia(bytes: Buffer | Uint8Array, mimeType: string): string;
  /**
   * Adds a template, or replaces the one with the same name and language. Replacing one whose
   * status differs POSTs a signed `message_template_status_update` webhook, like `setTemplateStatus`.
   */
  upsertTemplate(template: SeedTemplate, details?: TemplateStatusDetails): { id: string };
  /**
   * Sets a template's status; false when there is no template with that id. When the status
   * actually changes, each hosted WABA gets a signed `message_template_status_update` webhook
   * (`event` = the new status), delivered and retried like status webhooks.
   */
  setTemplateStatus(id: string, status: TemplateStatus, details?: TemplateStatusDetails): boolean;
  /**
   * Opens the customer-service window for a recipient (wa_id digits): on every number and
   * forever without `phoneNumberId`, or for `customerWindowMs` on that number as an inbound
   * message would.
   */
  openWindow(waId: string, phoneNumberId?: string): void;
  /** Changes chaos knobs at runtime (merged into the current ones); a `seed` restarts the PRNG. Returns the effective settings. */
  setChaos(chaos: ChaosOptions): ChaosSettings;
  /**
   * Takes Meta out of reach (refused, reset or hung connections, or slow answers) until the next
   * call with `{mode: 'none'}`, or for `forMs`. Resolves once the fault is in force.
   */
  setNetworkFault(fault: NetworkFault): Promise<NetworkFaultStatus>;
  networkFault(): NetworkFaultStatus;
  /** What Meta really emitted per accepted message: distinct statuses in emission order, no duplicates. */
  truth(): TruthEntry[];
  /** Delivers a signed inbound `messages[]` webhook and opens/refreshes the customer-service window. */
  injectInbound(input: InboundInput): Promise<{ wamid: string; mediaId?: string }>;
  /** Runs Meta's GET subscription handshake against the webhook URL (or `url`). */
  verifyWebhook(options: { verifyToken: string; url?: string }): Promise<VerifyWebhookResult>;
  /**
   * Clears records, truth, scheduled statuses, webhook queues, rate-limit buckets and media,
   * restores the seed templates and restarts the chaos PRNG from its seed; keeps the webhook
   * URL, chaos settings and open windows.
   */
  reset(): void;
  close(): Promise<void>;
}
