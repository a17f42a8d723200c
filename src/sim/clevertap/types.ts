/**
 * @module sim/clevertap/types
 * The public shapes of the CleverTap simulator: what it records from the gateway's callbacks,
 * the funnel it derives from them, the faults it can be told to play, and the campaign driver's
 * options and result.
 */

/** A DLR status as CleverTap's format defines it (spec §3), after validation. */
export interface DlrStatus {
  msgId: string;
  /** Lower-cased: `sent` | `delivered` | `read` | `failed` | `clicked`. */
  status: DlrStatusName;
  /** The status exactly as sent (CleverTap's samples write `Clicked`). */
  rawStatus: string;
  /** Epoch seconds: `timestamp` for sent/delivered/read/failed, `ts` for clicks. */
  epochSeconds: number;
  error?: { code: number; title: string };
  click?: { url: string; shortUrl: string; userAgent: string };
}

export type DlrStatusName = 'sent' | 'delivered' | 'read' | 'failed' | 'clicked';

export interface ReceivedDlr {
  /** Position in the DLR log (0-based, absolute; survives trimming). */
  seq: number;
  /** Arrival time, epoch milliseconds. */
  receivedAt: number;
  /** The `:accountId` path segment, when the URL carried one. */
  accountId?: string;
  payloadVersion: string | number;
  statuses: DlrStatus[];
  body: unknown;
}

export type ImoType = 'text' | 'image' | 'video' | 'audio' | 'voice' | 'file' | 'location' | 'button';

export interface ReceivedImo {
  seq: number;
  receivedAt: number;
  accountId?: string;
  from: string;
  wabaNumber: string;
  type: ImoType;
  epochSeconds: number;
  /** `context.id`: the CleverTap msgId the user replied to. */
  contextId?: string;
  /** The campaign of `contextId` (its second `|` field), when it has one. */
  campaignId?: string;
  body: Record<string, unknown>;
}

export interface Problem {
  /** Where in the body, e.g. `statuses[0].timestamp` (`$` is the body itself). */
  path: string;
  message: string;
}

export interface RejectedBody {
  seq: number;
  receivedAt: number;
  /** The request path, e.g. `/dlr/acme`. */
  path: string;
  /** `invalid`: the body broke the format; `fault`: a failFor/timeoutFor window refused it. */
  kind: 'invalid' | 'fault';
  /** HTTP status answered (0 when the request was held and never answered). */
  status: number;
  /** One line; for invalid bodies every problem as `path: message`, joined by `; `. */
  reason: string;
  problems: Problem[];
  body: unknown;
}

export interface Funnel {
  campaignId: string;
  /** Distinct messages with a `sent` status. */
  sent: number;
  delivered: number;
  /** CleverTap shows this as "Viewed". */
  read: number;
  clicked: number;
  failed: { total: number; byCode: Record<string, number> };
  /** Distinct messages of the campaign that an inbound message replied to (`context.id`). */
  replied: number;
  /** Status reports that repeated one already received for the same message. */
  duplicates: number;
}

export interface OrderViolation {
  msgId: string;
  /** Every status received for the message, in arrival order. */
  sequence: string[];
  reason: string;
}

export interface FailOptions {
  status: 500 | 503 | 429;
  durationMs: number;
}
export interface TimeoutOptions {
  durationMs: number;
  /** How long a held request is kept before its connection is dropped (default 30 000). */
  holdMs?: number;
}
export interface SlowOptions {
  delayMs: number;
  durationMs: number;
}

export interface ClevertapSimulatorOptions {
  host?: string;
  port?: number;
  logger?: false;
  /** Records kept per log before the oldest half is dropped (default 200 000). */
  maxRecords?: number;
  /** The clock fault windows start and end by (default `Date.now`); tests set it to end a window exactly. */
  faultClock?: () => number;
}

export interface ClevertapSimulator {
  url: string;
  deliveryReportUrl(accountId?: string): string;
  inboundMessageUrl(accountId?: string): string;
  deliveryReports(): ReceivedDlr[];
  inboundMessages(): ReceivedImo[];
  rejectedBodies(): RejectedBody[];
  /** Lower-cased statuses of one message in arrival order. */
  statusesOf(msgId: string): string[];
  orderViolations(): OrderViolation[];
  funnel(campaignId: string): Funnel;
  failFor(options: FailOptions): void;
  timeoutFor(options: TimeoutOptions): void;
  slowFor(options: SlowOptions): void;
  /** Ends any fault window now; requests already held stay held until their client gives up. */
  healthy(): void;
  /** Forgets every record and fault. */
  reset(): void;
  close(): Promise<void>;
}

export type CampaignAuth =
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'headers'; headers: Record<string, string> };

export interface CampaignProgress {
  done: number;
  total: number;
  sent: number;
  failed: number;
  timeouts: number;
  elapsedMs: number;
}

export interface CampaignOptions {
  /** The gateway's messaging endpoint, e.g. `http://127.0.0.1:3000/v1/clevertap/messages`. */
  endpoint: string;
  /**
   * More replicas of the same gateway cluster: requests are spread round-robin over `endpoint`
   * and these, as a load balancer would (each its own connection pool, the concurrency shared).
   */
  replicas?: readonly string[];
  auth?: CampaignAuth;
  campaignId: string;
  count: number;
  /** Requests in flight at once, and connections in the pool (default 1500, like CleverTap). */
  concurrency?: number;
  /** Weights over payload shape names (see `PAYLOAD_SHAPES`); default: every template shape once. */
  payloadMix?: Partial<Record<string, number>>;
  /** Recipient of message `i` (0-based); default a distinct 12-digit Indian number per message. */
  recipients?: (i: number) => string;
  wabaNumber?: string;
  /** CleverTap's timeout: a slower answer counts as a timeout (default 1000). */
  timeoutMs?: number;
  /** The msgId's third field (default today's date as YYYYMMDD, like CleverTap's samples). */
  batchId?: string;
  /** Called after each answered request, at most every `progressEveryMs` (default 1000). */
  onProgress?: (progress: CampaignProgress) => void;
  progressEveryMs?: number;
}

export interface CampaignResult {
  campaignId: string;
  count: number;
  /** HTTP 200 + `{"status":"success"}` within the timeout: CleverTap's "Sent". */
  sent: number;
  /** HTTP 200 + `{"status":"failure","error":{"code":…}}`, by code. */
  failedByCode: Record<string, number>;
  timeouts: number;
  http429: number;
  http5xx: number;
  /** Other statuses, unreadable 200 bodies and network errors. */
  otherErrors: number;
  /** The first few of those, described (status and body start, or the error), to say what they were. */
  otherSamples: string[];
  /** Over answered requests (timeouts excluded), milliseconds. */
  latencyMs: { p50: number; p99: number; max: number };
  durationMs: number;
  /** msgIds answered with success, in send order. */
  msgIds: string[];
  /** How many requests used each payload shape. */
  shapes: Record<string, number>;
}
