/**
 * @module observability/cells
 * Counters and histograms cheap enough for the CleverTap endpoint at 10,000 requests a second.
 *
 * prom-client's own `counter.labels(...).inc()` hashes and validates the label set on every call
 * and returns an object; here a caller resolves a label set to a *cell* once (a plain object
 * holding a number, or a histogram's bucket array) and keeps it, so counting is one field update
 * and observing a duration is a short scan of the bucket bounds — no allocation per request.
 * prom-client still does what it is good at: the registry, the exposition format, and the
 * process metrics. These families plug into its registry through the `get()` contract every
 * metric there implements, so they are formatted exactly like its own.
 */
import type { Metric, Registry } from 'prom-client';

export class CounterCell {
  value = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}
  inc(by = 1): void {
    this.value += by;
  }
}

export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Readonly<Record<string, string>>,
    readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    const { bounds } = this;
    for (let index = 0; index < bounds.length; index++) {
      if (value <= bounds[index]!) {
        this.counts[index]!++;
        return;
      }
    }
  }
}

interface FamilyOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
}

/** What prom-client's registry reads from a metric (`registry.getMetricsAsString`). */
interface Exported {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>;
}

abstract class Family<L extends string, C> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum' as const;
  readonly #labelNames: readonly L[];
  readonly #cells = new Map<string, C>();

  constructor(options: FamilyOptions<L>, registry: Registry) {
    this.name = options.name;
    this.help = options.help;
    this.#labelNames = options.labelNames;
    registry.registerMetric(this as unknown as Metric);
  }

  /**
   * The cell for one label set, created on first use. Resolving allocates (a key string): call it
   * once per label set and keep the cell, not once per event.
   */
  cell(labels: Readonly<Record<L, string>>): C {
    const key = this.#labelNames.map((name) => labels[name]).join('\u0000');
    let cell = this.#cells.get(key);
    if (!cell) {
      const copy: Record<string, string> = {};
      for (const name of this.#labelNames) copy[name] = labels[name];
      this.#cells.set(key, (cell = this.create(copy)));
    }
    return cell;
  }

  protected cells(): IterableIterator<C> {
    return this.#cells.values();
  }

  protected abstract create(labels: Record<string, string>): C;
  abstract get(): Promise<Exported>;
}

export class CounterFamily<L extends string> extends Family<L, CounterCell> {
  protected create(labels: Record<string, string>): CounterCell {
    return new CounterCell(labels);
  }

  async get(): Promise<Exported> {
    const values = [...this.cells()].map((cell) => ({ value: cell.value, labels: { ...cell.labels } }));
    return { name: this.name, help: this.help, type: 'counter', aggregator: 'sum', values };
  }
}

export class HistogramFamily<L extends string> extends Family<L, HistogramCell> {
  readonly #bounds: readonly number[];

  constructor(options: FamilyOptions<L> & { buckets: readonly number[] }, registry: Registry) {
    super(options, registry);
    this.#bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected create(labels: Record<string, string>): HistogramCell {
    return new HistogramCell(labels, this.#bounds);
  }

  async get(): Promise<Exported> {
    const values: Exported['values'] = [];
    for (const cell of this.cells()) {
      let cumulative = 0;
      cell.bounds.forEach((bound, index) => {
        cumulative += cell.counts[index]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: bound, ...cell.labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...cell.labels }, value: cell.count });
      values.push({ metricName: `${this.name}_sum`, labels: { ...cell.labels }, value: cell.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...cell.labels }, value: cell.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }
}
