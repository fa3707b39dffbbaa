import type { BaseEvent, HandleStatus } from '@herald/core';
import { FlushedCounter } from './metrics/flushed-counter.js';
import { HistogramCollector } from './metrics/histogram-collector.js';
import type { ResolvedOptions } from './options.js';
import { observeInto } from './metrics/bucket-counts.js';
import {
  createTypeSeries,
  DEAD_LETTERED,
  DEAD_LETTERED_TOTAL,
  DURATION,
  FAILED,
  FILTERED,
  PUBLISHED,
  RETRIES,
  SUCCESS,
  type TypeSeries,
} from './type-series.js';
import { TypeTable } from './type-table.js';

/**
 * Owns the metrics on the registry and records into them. Every record is a type
 * lookup plus a few additions on pre-resolved series; prom-client sees the numbers
 * only when the registry is scraped.
 */
export class MetricsRecorder {
  readonly types: TypeTable;
  readonly handlerDuration: HistogramCollector;
  readonly latency: HistogramCollector;
  private readonly buckets: Float64Array;
  private readonly latencyBuckets: Float64Array;

  constructor(
    options: ResolvedOptions,
    /** A test clock; undefined for the outcome's end time (or `Date.now` without one). */
    private readonly clock: (() => number) | undefined,
  ) {
    const { registry, prefix } = options;
    this.buckets = options.buckets;
    this.latencyBuckets = options.latencyBuckets;
    const deps = {
      published: new FlushedCounter(registry, `${prefix}events_published_total`, 'Events accepted by the transport on publish.', ['type']),
      handled: new FlushedCounter(
        registry,
        `${prefix}events_handled_total`,
        'Settled handlings by outcome (success, failed, filtered, dead_lettered); one per subscription that received the event.',
        ['type', 'status'],
      ),
      retries: new FlushedCounter(registry, `${prefix}event_retries_total`, 'Handler attempts that failed and were scheduled for a retry.', ['type']),
      deadLettered: new FlushedCounter(registry, `${prefix}events_dead_lettered_total`, 'Events dead-lettered after their last failed attempt.', ['type']),
      buckets: options.buckets,
      latencyBuckets: options.latencyBuckets,
      statsWindowSeconds: options.statsWindowSeconds,
      reservoirSize: options.reservoirSize,
    };
    this.types = new TypeTable(options.maxEventTypes, (label) => createTypeSeries(label, deps));
    const all = () => this.types.all();
    this.handlerDuration = new HistogramCollector(
      `${prefix}event_handler_duration_seconds`,
      'Seconds spent in filter, middleware and handler per attempt.',
      options.buckets,
      () => mapSeries(all(), (s) => s.duration),
      registry,
    );
    this.latency = new HistogramCollector(
      `${prefix}event_latency_seconds`,
      'Seconds from the event timestamp to its successful handling.',
      options.latencyBuckets,
      () => mapSeries(all(), (s) => s.latency),
      registry,
    );
  }

  now(): number {
    return this.clock === undefined ? Date.now() : this.clock();
  }

  /** A publish the transport accepted. */
  published(type: string): void {
    this.types.get(type).cells[PUBLISHED]!++;
  }

  /**
   * One handling attempt. `endedAt` is when it ended (epoch ms, from the outcome core
   * reports): latency and the stats window use it rather than reading the clock again. A
   * test clock given in the options wins; with neither, `Date.now()`.
   */
  outcome(event: BaseEvent, status: HandleStatus, durationMs: number, endedAt?: number): void {
    const series = this.types.get(event.type);
    const cells = series.cells;
    switch (status) {
      case 'success': {
        const nowMs = this.clock === undefined && endedAt !== undefined ? endedAt : this.now();
        const latency = latencySeconds(nowMs, event);
        cells[SUCCESS]!++;
        observeInto(cells, DURATION, this.buckets, durationMs / 1000);
        observeInto(cells, series.latencyAt, this.latencyBuckets, latency);
        series.stats.recordSuccess(nowMs, latency);
        return;
      }
      case 'retrying':
        cells[RETRIES]!++;
        observeInto(cells, DURATION, this.buckets, durationMs / 1000);
        return;
      case 'filtered':
        cells[FILTERED]!++;
        return;
      case 'dead_lettered':
        cells[DEAD_LETTERED]!++;
        cells[DEAD_LETTERED_TOTAL]!++;
        observeInto(cells, DURATION, this.buckets, durationMs / 1000);
        series.stats.recordFailure(this.clock === undefined && endedAt !== undefined ? endedAt : this.now());
        return;
      case 'failed':
        cells[FAILED]!++;
        observeInto(cells, DURATION, this.buckets, durationMs / 1000);
        series.stats.recordFailure(this.clock === undefined && endedAt !== undefined ? endedAt : this.now());
        return;
    }
  }

  /** `track(event)`: a successful handling observed by hand, with no handler duration. */
  tracked(event: BaseEvent): void {
    const series = this.types.get(event.type);
    const nowMs = this.now();
    const latency = latencySeconds(nowMs, event);
    series.cells[SUCCESS]!++;
    observeInto(series.cells, series.latencyAt, this.latencyBuckets, latency);
    series.stats.recordSuccess(nowMs, latency);
  }
}

/** Seconds since the event's timestamp; 0 for a timestamp in the future (clock skew). */
function latencySeconds(nowMs: number, event: BaseEvent): number {
  const ms = nowMs - event.timestamp.getTime();
  return ms > 0 ? ms / 1000 : 0;
}

function* mapSeries<T>(series: Iterable<TypeSeries>, pick: (s: TypeSeries) => T): IterableIterator<{ label: string; data: T }> {
  for (const s of series) yield { label: s.label, data: pick(s) };
}
