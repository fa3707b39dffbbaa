import { BucketCounts, histogramCells } from './metrics/bucket-counts.js';
import type { CounterCell } from './metrics/flushed-counter.js';
import { DEAD_LETTERED_TOTAL, DURATION, PUBLISHED, RETRIES } from './cells.js';
import { TypeStats } from './stats/type-stats.js';

/** Settled outcomes counted in `events_handled_total{status}`; indexes into `TypeSeries.handled` and the cells. */
export const HANDLED_STATUSES = ['success', 'failed', 'filtered', 'dead_lettered'] as const;
export type HandledStatus = (typeof HANDLED_STATUSES)[number];
export const SUCCESS = 0;
export const FAILED = 1;
export const FILTERED = 2;
export const DEAD_LETTERED = 3;

export * from './cells.js';

/** Every number recorded for one `type` label, resolved once so the hot path only adds. */
export interface TypeSeries {
  readonly label: string;
  /** The counters, lifetime totals and both histograms (offsets in cells.ts; `latencyAt` for latency). */
  readonly cells: Float64Array;
  /** Where the latency histogram starts in `cells`. */
  readonly latencyAt: number;
  readonly published: CounterCell;
  /** Indexed by SUCCESS, FAILED, FILTERED, DEAD_LETTERED. */
  readonly handled: readonly CounterCell[];
  readonly retries: CounterCell;
  readonly deadLettered: CounterCell;
  readonly duration: BucketCounts;
  readonly latency: BucketCounts;
  readonly stats: TypeStats;
}

type CellFactory = { cell(labels: Record<string, string>, cells: Float64Array, index: number): CounterCell };

export interface SeriesFactoryDeps {
  published: CellFactory;
  handled: CellFactory;
  retries: CellFactory;
  deadLettered: CellFactory;
  buckets: Float64Array;
  latencyBuckets: Float64Array;
  statsWindowSeconds: number;
  reservoirSize: number;
}

export function createTypeSeries(label: string, deps: SeriesFactoryDeps): TypeSeries {
  const latencyAt = DURATION + histogramCells(deps.buckets);
  const cells = new Float64Array(latencyAt + histogramCells(deps.latencyBuckets));
  return {
    label,
    cells,
    latencyAt,
    published: deps.published.cell({ type: label }, cells, PUBLISHED),
    handled: HANDLED_STATUSES.map((status, i) => deps.handled.cell({ type: label, status }, cells, i)),
    retries: deps.retries.cell({ type: label }, cells, RETRIES),
    deadLettered: deps.deadLettered.cell({ type: label }, cells, DEAD_LETTERED_TOTAL),
    duration: new BucketCounts(deps.buckets, cells, DURATION),
    latency: new BucketCounts(deps.latencyBuckets, cells, latencyAt),
    stats: new TypeStats(cells, deps.statsWindowSeconds, deps.reservoirSize),
  };
}
