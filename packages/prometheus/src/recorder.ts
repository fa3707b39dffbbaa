import type { BaseEvent, HandleStatus } from '@herald/core';
import { FlushedCounter } from './metrics/flushed-counter.js';
import { HistogramCollector } from './metrics/histogram-collector.js';
import type { ResolvedOptions } from './options.js';
import { createTypeSeries, DEAD_LETTERED, FAILED, FILTERED, SUCCESS, type TypeSeries } from './type-series.js';
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

  constructor(
    options: ResolvedOptions,
    /** A test clock; undefined for `Date.now`, called directly on the hot path. */
    private readonly clock: (() => number) | undefined,
  ) {
    const { registry, prefix } = options;
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
    this.types.get(type).published.value++;
  }

  outcome(event: BaseEvent, status: HandleStatus, durationMs: number): void {
    const series = this.types.get(event.type);
    switch (status) {
      case 'success': {
        const nowMs = this.now();
        const latency = latencySeconds(nowMs, event);
        series.handled[SUCCESS]!.value++;
        series.duration.observe(durationMs / 1000);
        series.latency.observe(latency);
        series.stats.recordSuccess(nowMs, latency);
        return;
      }
      case 'retrying':
        series.retries.value++;
        series.duration.observe(durationMs / 1000);
        return;
      case 'filtered':
        series.handled[FILTERED]!.value++;
        return;
      case 'dead_lettered':
        series.handled[DEAD_LETTERED]!.value++;
        series.deadLettered.value++;
        series.duration.observe(durationMs / 1000);
        series.stats.recordFailure(this.now());
        return;
      case 'failed':
        series.handled[FAILED]!.value++;
        series.duration.observe(durationMs / 1000);
        series.stats.recordFailure(this.now());
        return;
    }
  }

  /** `track(event)`: a successful handling observed by hand, with no handler duration. */
  tracked(event: BaseEvent): void {
    const series = this.types.get(event.type);
    const nowMs = this.now();
    const latency = latencySeconds(nowMs, event);
    series.handled[SUCCESS]!.value++;
    series.latency.observe(latency);
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
