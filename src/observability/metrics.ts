/**
 * @module observability/metrics
 * The gateway's Prometheus metrics: one registry per gateway (never prom-client's global one, so a
 * test process can run several gateways), every name prefixed `wabridge_`. What the parts of the
 * gateway report arrives through the narrow observers in ./meters.ts; what is cheaper to read than
 * to track (queue depth, template sync state) is read when Prometheus scrapes, through the sources
 * given to `addScrapeSource`.
 *
 * Labels are bounded: an account id only once it names a configured account (an id taken from a
 * URL that names none is counted under `account=""`), outcomes and codes from small fixed sets,
 * never a phone number, a message id or a URL.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { CounterFamily, HistogramFamily } from './cells.js';

/** Seconds, from 0.5 ms (a validation answer) to 10 s (a request that waited for a stalled store). */
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds for a Graph API call: Meta answers in 100–500 ms, a retry-worthy one takes longer. */
const GRAPH_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds from a report being owed to CleverTap having it: milliseconds when healthy, hours in an outage. */
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14_400, 86_400];
/** Seconds for one group commit. */
const COMMIT_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Read when Prometheus scrapes: jobs waiting per queue partition, summed per queue. */
export interface QueueDepthRow {
  queue: string;
  ready: number;
  scheduled: number;
  leased: number;
  dead: number;
  /** When the partition's oldest ready job was enqueued (epoch ms), null when none is ready. */
  oldestReadyAt: number | null;
}

export interface TemplateSyncRow {
  accountId: string;
  lastSuccessAt?: number;
  lastError?: string;
  templateCount: number;
}

export interface ScrapeSources {
  queueCounts?(): Promise<readonly QueueDepthRow[]>;
  /** Queues reported even when empty (a queue with no jobs has no rows). */
  queueNames?: readonly string[];
  templateStatus?(): Promise<readonly TemplateSyncRow[]>;
}

export interface GatewayMetricsOptions {
  /** Process metrics (CPU, memory, GC, event-loop lag); default true. */
  processMetrics?: boolean;
}

/**
 * Process metrics describe the process, not a gateway, and prom-client starts monitors for them
 * (event-loop delay, a GC observer) that it never stops: one registry per process, made on first
 * use and shared by every gateway in it.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'wabridge_', eventLoopMonitoringPrecision: 20 });
  }
  return processRegistry;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new CounterFamily({ name: 'wabridge_requests_total', help: 'HTTP requests answered, by account, route and outcome (success, a CleverTap failure code, or the HTTP status)', labelNames: ['account', 'route', 'outcome'] }, this.registry);
  readonly requestDuration = new HistogramFamily({ name: 'wabridge_request_duration_seconds', help: 'Time from a request\'s headers being read to its answer being written', labelNames: ['route'], buckets: REQUEST_BUCKETS }, this.registry);
  readonly accepted = new CounterFamily({ name: 'wabridge_messages_accepted_total', help: 'Messages CleverTap sent that were stored durably and answered success', labelNames: ['account'] }, this.registry);
  readonly sent = new CounterFamily({ name: 'wabridge_messages_sent_total', help: 'Messages the Graph API accepted (a wamid came back)', labelNames: ['account'] }, this.registry);
  readonly failed = new CounterFamily({ name: 'wabridge_messages_failed_total', help: 'Messages that ended failed, by Meta\'s error code or the gateway\'s reason', labelNames: ['account', 'code'] }, this.registry);
  readonly webhooks = new CounterFamily({ name: 'wabridge_webhooks_total', help: 'Meta webhook deliveries refused and items received, by kind', labelNames: ['kind'] }, this.registry);
  readonly callbacks = new CounterFamily({ name: 'wabridge_callbacks_total', help: 'Callbacks to CleverTap (delivery reports, inbound messages) by outcome', labelNames: ['account', 'outcome'] }, this.registry);
  readonly graphLatency = new HistogramFamily({ name: 'wabridge_graph_request_duration_seconds', help: 'Graph API send requests, from writing the request to its answer', labelNames: ['account'], buckets: GRAPH_BUCKETS }, this.registry);
  readonly callbackLag = new HistogramFamily({ name: 'wabridge_callback_lag_seconds', help: 'From a callback being owed (the status or message arrived) to CleverTap accepting it', labelNames: [], buckets: LAG_BUCKETS }, this.registry);
  readonly storeCommit = new HistogramFamily({ name: 'wabridge_store_commit_duration_seconds', help: 'One group commit to the store: accepted messages (writer="accept") or the batched small writes (writer="batch")', labelNames: ['writer'], buckets: COMMIT_BUCKETS }, this.registry);
  readonly #sources: ScrapeSources[] = [];
  readonly #process: Registry | undefined;

  constructor(options: GatewayMetricsOptions = {}) {
    this.#process = options.processMetrics === false ? undefined : processMetrics();
    const sources = this.#sources;
    // Both queue gauges are collected in one scrape, concurrently: they share one read of the queue.
    let reading: Promise<QueueDepthRow[]> | undefined;
    const queueTotals = () => (reading ??= readQueueTotals(sources).finally(() => (reading = undefined)));
    new Gauge({
      name: 'wabridge_queue_jobs',
      help: 'Jobs in each queue by state (ready, scheduled, leased, dead), read when scraped',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        const totals = await queueTotals();
        this.reset();
        for (const total of totals) {
          for (const state of ['ready', 'scheduled', 'leased', 'dead'] as const) this.set({ queue: total.queue, state }, total[state]);
        }
      },
    });
    new Gauge({
      name: 'wabridge_queue_oldest_age_seconds',
      help: 'How long the oldest ready job of each queue (due, not leased) has been waiting since it was enqueued; 0 when none is ready. Read when scraped',
      labelNames: ['queue'],
      registers: [this.registry],
      async collect() {
        const totals = await queueTotals();
        const now = Date.now();
        this.reset();
        for (const total of totals) this.set({ queue: total.queue }, total.oldestReadyAt === null ? 0 : Math.max(0, now - total.oldestReadyAt) / 1000);
      },
    });
    const templateRows = async () => {
      const rows: TemplateSyncRow[] = [];
      for (const source of sources) if (source.templateStatus) rows.push(...(await source.templateStatus()));
      return rows;
    };
    new Gauge({
      name: 'wabridge_template_sync_last_success_timestamp_seconds',
      help: 'When each account\'s template catalogue was last synced from Meta (0: never)',
      labelNames: ['account'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of await templateRows()) this.set({ account: row.accountId }, (row.lastSuccessAt ?? 0) / 1000);
      },
    });
    new Gauge({
      name: 'wabridge_template_sync_failing',
      help: '1 while the last template sync attempt of an account failed',
      labelNames: ['account'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of await templateRows()) this.set({ account: row.accountId }, row.lastError === undefined ? 0 : 1);
      },
    });
    new Gauge({
      name: 'wabridge_templates',
      help: 'Templates stored for each account after its last successful sync',
      labelNames: ['account'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of await templateRows()) this.set({ account: row.accountId }, row.templateCount);
      },
    });
  }

  /** Adds what is read at scrape time (the gateway's queue and template catalogue). */
  addScrapeSource(source: ScrapeSources): void {
    this.#sources.push(source);
  }

  /** The exposition text for `GET /metrics`. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const own = await this.registry.metrics();
    return { contentType: this.registry.contentType, body: this.#process ? (await this.#process.metrics()) + own : own };
  }
}

/** Per queue, over every source: jobs by state summed over partitions, and the oldest ready job's time. */
async function readQueueTotals(sources: readonly ScrapeSources[]): Promise<QueueDepthRow[]> {
  const all: QueueDepthRow[] = [];
  for (const source of sources) {
    if (!source.queueCounts) continue;
    const totals = new Map<string, QueueDepthRow>();
    const empty = (queue: string): QueueDepthRow => ({ queue, ready: 0, scheduled: 0, leased: 0, dead: 0, oldestReadyAt: null });
    for (const queue of source.queueNames ?? []) totals.set(queue, empty(queue));
    for (const row of await source.queueCounts()) {
      const total = totals.get(row.queue) ?? empty(row.queue);
      total.ready += row.ready;
      total.scheduled += row.scheduled;
      total.leased += row.leased;
      total.dead += row.dead;
      if (row.oldestReadyAt !== null && (total.oldestReadyAt === null || row.oldestReadyAt < total.oldestReadyAt)) total.oldestReadyAt = row.oldestReadyAt;
      totals.set(row.queue, total);
    }
    all.push(...totals.values());
  }
  return all;
}
