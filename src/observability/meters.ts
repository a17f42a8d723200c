/**
 * @module observability/meters
 * The narrow observers each part of the gateway is handed by the composition root. Each method
 * is what one event costs: a map lookup for the label set's cell (resolved on first use, see
 * ./cells.ts) and a field update. The parts declare the shape they call (http/fast-route.ts,
 * pipeline/*.ts, the store's batchers) and never import this folder; compose/observability.ts
 * joins the two.
 */
import type { CounterCell, CounterFamily, HistogramCell } from './cells.js';
import type { GatewayMetrics } from './metrics.js';

/** Route labels of the two endpoints the lean HTTP front answers (the fastify route patterns). */
export const CLEVERTAP_ROUTE = '/v1/clevertap/:accountId/messages';
export const WEBHOOK_ROUTE = '/v1/whatsapp/webhook';
/** The `account` label of a request whose URL names no configured account. */
const NO_ACCOUNT = '';

export interface AccountCheck {
  /** Whether an id taken from a URL names a configured account (the label set stays bounded). */
  isKnownAccount(accountId: string): boolean;
}

/** Cells per (first label, second label), the second label built from a key only on first use. */
class TwoLevel<K> {
  readonly #byFirst = new Map<string, Map<K, CounterCell>>();
  constructor(
    private readonly family: CounterFamily<string>,
    private readonly labelsOf: (first: string, key: K) => Record<string, string>,
  ) {}
  get(first: string, key: K): CounterCell {
    let byKey = this.#byFirst.get(first);
    if (!byKey) this.#byFirst.set(first, (byKey = new Map()));
    let cell = byKey.get(key);
    if (!cell) byKey.set(key, (cell = this.family.cell(this.labelsOf(first, key))));
    return cell;
  }
}

class OneLevel<C> {
  readonly #cells = new Map<string, C>();
  constructor(private readonly resolve: (value: string) => C) {}
  get(value: string): C {
    let cell = this.#cells.get(value);
    if (!cell) this.#cells.set(value, (cell = this.resolve(value)));
    return cell;
  }
}

/**
 * Requests, by account, route and outcome. `outcome` is a number on the hot path: 0 for
 * success, else the CleverTap failure code (2000–2004) or the HTTP status; it becomes a label
 * once per distinct value.
 */
export function requestMeter(metrics: GatewayMetrics, accounts: AccountCheck) {
  const outcomeLabel = (outcome: number) => (outcome === 0 ? 'success' : String(outcome));
  const clevertap = new TwoLevel<number>(metrics.requests as CounterFamily<string>, (account, outcome) => ({ account, route: CLEVERTAP_ROUTE, outcome: outcomeLabel(outcome) }));
  const webhook = new TwoLevel<number>(metrics.requests as CounterFamily<string>, (account, outcome) => ({ account, route: WEBHOOK_ROUTE, outcome: outcomeLabel(outcome) }));
  const others = new Map<string, TwoLevel<number>>();
  const durations = new OneLevel<HistogramCell>((route) => metrics.requestDuration.cell({ route }));
  const clevertapDuration = durations.get(CLEVERTAP_ROUTE);
  const webhookDuration = durations.get(WEBHOOK_ROUTE);
  const known = new Set<string>();
  const accountLabel = (accountId: string | undefined) => {
    if (accountId === undefined) return NO_ACCOUNT;
    if (known.has(accountId)) return accountId;
    if (!accounts.isKnownAccount(accountId)) return NO_ACCOUNT;
    known.add(accountId);
    return accountId;
  };
  return {
    /** One answer of CleverTap's messaging endpoint; `receivedAt` is `performance.now()` when its headers were read. */
    clevertap(accountId: string | undefined, outcome: number, receivedAt: number): void {
      clevertap.get(accountLabel(accountId), outcome).inc();
      clevertapDuration.observe((performance.now() - receivedAt) / 1000);
    },
    /** One answer of Meta's webhook endpoint. */
    webhook(status: number, receivedAt: number): void {
      webhook.get(NO_ACCOUNT, status === 200 ? 0 : status).inc();
      webhookDuration.observe((performance.now() - receivedAt) / 1000);
    },
    /** Any other route (fastify's): its pattern, or `unmatched` for a 404 no route took. */
    route(route: string, accountId: string | undefined, status: number, seconds: number): void {
      let cells = others.get(route);
      if (!cells) others.set(route, (cells = new TwoLevel<number>(metrics.requests as CounterFamily<string>, (account, outcome) => ({ account, route, outcome: outcomeLabel(outcome) }))));
      cells.get(accountLabel(accountId), status).inc();
      durations.get(route).observe(seconds);
    },
  };
}
export type RequestMeter = ReturnType<typeof requestMeter>;

/** The acceptor: messages stored and answered success, and how long each group commit took. */
export function acceptMeter(metrics: GatewayMetrics) {
  const accepted = new OneLevel<CounterCell>((account) => metrics.accepted.cell({ account }));
  const commit = metrics.storeCommit.cell({ writer: 'accept' });
  return {
    accepted: (accountId: string) => accepted.get(accountId).inc(),
    committed: (seconds: number) => commit.observe(seconds),
  };
}

/** The send dispatcher: sends Meta accepted, messages failed, and the Graph API's latency. */
export function sendMeter(metrics: GatewayMetrics) {
  const sent = new OneLevel<CounterCell>((account) => metrics.sent.cell({ account }));
  const failed = new TwoLevel<string>(metrics.failed as CounterFamily<string>, (account, code) => ({ account, code }));
  const latency = new OneLevel<HistogramCell>((account) => metrics.graphLatency.cell({ account }));
  return {
    sent: (accountId: string) => sent.get(accountId).inc(),
    /** `code`: Meta's error code, or the gateway's own reason (`expired`, `outside_window`…) when Meta gave none. */
    failed: (accountId: string, code: string) => failed.get(accountId, code).inc(),
    graphLatency: (accountId: string, seconds: number) => latency.get(accountId).observe(seconds),
  };
}

/** The webhook intake: deliveries refused and items received, by kind. */
export function webhookMeter(metrics: GatewayMetrics) {
  const kinds = new OneLevel<CounterCell>((kind) => metrics.webhooks.cell({ kind }));
  return { items: (kind: string, count: number) => kinds.get(kind).inc(count) };
}

/** The callback dispatcher: callbacks by outcome, and how late the delivered ones were. */
export function callbackMeter(metrics: GatewayMetrics) {
  const outcomes = new TwoLevel<string>(metrics.callbacks as CounterFamily<string>, (account, outcome) => ({ account, outcome }));
  const lag = metrics.callbackLag.cell({});
  return {
    callbacks: (accountId: string, outcome: string, count: number) => outcomes.get(accountId, outcome).inc(count),
    lag: (seconds: number) => lag.observe(seconds),
  };
}

/** The store's write batchers: one observation per group commit. */
export function commitMeter(metrics: GatewayMetrics): (seconds: number) => void {
  const commit = metrics.storeCommit.cell({ writer: 'batch' });
  return (seconds) => commit.observe(seconds);
}
