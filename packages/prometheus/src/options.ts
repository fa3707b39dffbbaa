import { ValidationError } from '@herald/core';
import { positiveInt } from '@herald/core/transport';
import { register as globalRegistry, type Registry } from 'prom-client';

export interface PrometheusEventTrackerOptions {
  /** Where the metrics are registered. Default: prom-client's global `register`. */
  registry?: Registry;
  /** Prepended to every metric name; `"herald"` and `"herald_"` both give `herald_events_published_total`. */
  prefix?: string;
  /** Histogram bucket upper bounds in SECONDS, ascending. Default: {@link DEFAULT_BUCKETS}. */
  buckets?: number[];
  /** Bucket bounds (seconds) for `event_latency_seconds` only. Default: {@link DEFAULT_LATENCY_BUCKETS}. */
  latencyBuckets?: number[];
  /**
   * Distinct event types given their own `type` label (and their own stats). Later types share
   * the label `"other"`, so a bug or an attacker minting types cannot grow the series without
   * bound. Default 100.
   */
  maxEventTypes?: number;
  /** Latency samples kept per type for percentiles (most recent first to go). Default 1024. */
  reservoirSize?: number;
  /** How far back `getStats({ since })` can look, in seconds. Default 900 (15 minutes). */
  statsWindowSeconds?: number;
  /**
   * Clock in epoch milliseconds used for latency and the stats window; tests pass a fake.
   * Default: a handling is timed by the end time core reports with its outcome (`endedAt`,
   * no clock read of its own), and `Date.now()` where there is none (`track`, `getStats`).
   */
  now?: () => number;
}

/** Handler-duration buckets: 0.5 ms to 10 s, since in-process handlers are often sub-millisecond. */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** Publish-to-handled latency buckets: 1 ms to 60 s (retries with backoff land in the upper ones). */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
]);

export const OTHER_TYPE_LABEL = 'other';

export interface ResolvedOptions {
  registry: Registry;
  prefix: string;
  buckets: Float64Array;
  latencyBuckets: Float64Array;
  maxEventTypes: number;
  reservoirSize: number;
  statsWindowSeconds: number;
}

const METRIC_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function resolveOptions(options: PrometheusEventTrackerOptions = {}): ResolvedOptions {
  return {
    registry: options.registry ?? globalRegistry,
    prefix: resolvePrefix(options.prefix),
    buckets: resolveBuckets(options.buckets ?? DEFAULT_BUCKETS, 'buckets'),
    latencyBuckets: resolveBuckets(options.latencyBuckets ?? DEFAULT_LATENCY_BUCKETS, 'latencyBuckets'),
    maxEventTypes: positiveInt(options.maxEventTypes ?? 100, 'maxEventTypes'),
    reservoirSize: positiveInt(options.reservoirSize ?? 1024, 'reservoirSize'),
    statsWindowSeconds: positiveInt(options.statsWindowSeconds ?? 900, 'statsWindowSeconds'),
  };
}

function resolvePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return '';
  if (typeof prefix !== 'string' || !METRIC_PREFIX.test(prefix)) {
    throw new ValidationError('prefix', 'must be letters, digits, "_" or ":" and not start with a digit');
  }
  return prefix.endsWith('_') ? prefix : `${prefix}_`;
}

function resolveBuckets(buckets: readonly number[], field: string): Float64Array {
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw new ValidationError(field, 'must be a non-empty array of seconds');
  }
  buckets.forEach((b, i) => {
    if (typeof b !== 'number' || !Number.isFinite(b) || b <= 0) {
      throw new ValidationError(`${field}[${i}]`, 'must be a positive finite number of seconds');
    }
    if (i > 0 && b <= buckets[i - 1]!) throw new ValidationError(`${field}[${i}]`, 'must be greater than the one before');
  });
  return Float64Array.from(buckets);
}
