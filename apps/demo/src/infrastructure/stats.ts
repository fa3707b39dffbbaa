import { percentiles, SampleRing } from '@herald/prometheus/stats';

/** A latency summary in milliseconds. */
export interface LatencySummary {
  count: number;
  avg: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * The season's end-to-end latencies: the latest `capacity` samples, kept in the same ring and
 * summarised with the same nearest-rank percentiles as `@herald/prometheus`'s `getStats`, plus
 * how many were ever added.
 */
export class LatencySamples {
  private readonly ring: SampleRing;
  private total = 0;

  constructor(capacity: number) {
    this.ring = new SampleRing(capacity);
  }

  add(atMs: number, value: number): void {
    this.ring.push(atMs, value);
    this.total++;
  }

  /** Samples ever added (also those that fell out of the ring). */
  get count(): number {
    return this.total;
  }

  /** Mean, max and percentiles of the retained samples; `count` is every sample ever added. */
  summary(): LatencySummary {
    const values: number[] = [];
    this.ring.collect(Number.NEGATIVE_INFINITY, values);
    const [p50, p90, p99] = percentiles(values, [0.5, 0.9, 0.99]) as [number, number, number];
    let sum = 0;
    let max = 0;
    for (const v of values) {
      sum += v;
      if (v > max) max = v;
    }
    return { count: this.total, avg: values.length === 0 ? 0 : sum / values.length, p50, p90, p99, max };
  }
}
