import { BucketCounts } from './metrics/bucket-counts.js';
import type { CounterCell } from './metrics/flushed-counter.js';
import { TypeStats } from './stats/type-stats.js';

/** Settled outcomes counted in `events_handled_total{status}`; indexes into `TypeSeries.handled`. */
export const HANDLED_STATUSES = ['success', 'failed', 'filtered', 'dead_lettered'] as const;
export type HandledStatus = (typeof HANDLED_STATUSES)[number];
export const SUCCESS = 0;
export const FAILED = 1;
export const FILTERED = 2;
export const DEAD_LETTERED = 3;

/** Every number recorded for one `type` label, resolved once so the hot path only adds. */
export interface TypeSeries {
  readonly label: string;
  readonly published: CounterCell;
  /** Indexed by SUCCESS, FAILED, FILTERED, DEAD_LETTERED. */
  readonly handled: readonly CounterCell[];
  readonly retries: CounterCell;
  readonly deadLettered: CounterCell;
  readonly duration: BucketCounts;
  readonly latency: BucketCounts;
  readonly stats: TypeStats;
}

export interface SeriesFactoryDeps {
  published: { cell(labels: Record<string, string>): CounterCell };
  handled: { cell(labels: Record<string, string>): CounterCell };
  retries: { cell(labels: Record<string, string>): CounterCell };
  deadLettered: { cell(labels: Record<string, string>): CounterCell };
  buckets: Float64Array;
  latencyBuckets: Float64Array;
  statsWindowSeconds: number;
  reservoirSize: number;
}

export function createTypeSeries(label: string, deps: SeriesFactoryDeps): TypeSeries {
  return {
    label,
    published: deps.published.cell({ type: label }),
    handled: HANDLED_STATUSES.map((status) => deps.handled.cell({ type: label, status })),
    retries: deps.retries.cell({ type: label }),
    deadLettered: deps.deadLettered.cell({ type: label }),
    duration: new BucketCounts(deps.buckets),
    latency: new BucketCounts(deps.latencyBuckets),
    stats: new TypeStats(deps.statsWindowSeconds, deps.reservoirSize),
  };
}
