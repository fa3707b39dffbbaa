import type { Metric, Registry } from 'prom-client';
import type { BucketCounts } from './bucket-counts.js';

export interface HistogramSeries {
  readonly label: string;
  readonly data: BucketCounts;
}

interface ExportedValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/**
 * A `type`-labelled histogram registered on a prom-client registry, rendered at scrape
 * time from {@link BucketCounts} the tracker fills on the hot path. It renders the standard
 * `_bucket{le}`, `_sum` and `_count` series, as prom-client's own Histogram does.
 *
 * Why not prom-client's `Histogram`: its only way in is `observe(labels, value)`, one call per
 * observation that validates and hashes the labels (≈0.3 µs; 0.65–0.75 µs measured on the
 * shared bench VM), and no release in the peer range can add pre-counted buckets, so a
 * `collect()` hook could only flush by replaying every observation: the same cost, moved to
 * the scrape. prom-client also documents no collector API, so this object implements the part
 * of the metric protocol its registry reads (`name`, `help`, `type`, `aggregator`, `get()`,
 * `reset()`) and is registered with a cast. A `Histogram` subclass overriding `get()` is no way
 * out: the registry renders text through the undocumented `getForPromString()` when a metric
 * has one, as `Histogram` does. The README ("Cost") lists the routes weighed, with figures. test/exposition.unit.spec.ts pins the /metrics
 * text, and scripts/prom-client-matrix.mjs runs it on every prom-client release the peer
 * range admits.
 */
export class HistogramCollector {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: Float64Array,
    private readonly series: () => Iterable<HistogramSeries>,
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  async get() {
    const values: ExportedValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const { label, data } of this.series()) {
      if (data.count === 0) continue;
      const cumulative = data.cumulative();
      for (let i = 0; i < this.bounds.length; i++) {
        values.push({ labels: { le: this.bounds[i]!, type: label }, value: cumulative[i]!, metricName: bucketName });
      }
      values.push({ labels: { le: '+Inf', type: label }, value: data.count, metricName: bucketName });
      values.push({ labels: { type: label }, value: data.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { type: label }, value: data.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** `registry.resetMetrics()`: starts every series from zero. */
  reset(): void {
    for (const { data } of this.series()) data.reset();
  }
}
