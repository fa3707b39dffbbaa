import { validateEvent, type BaseEvent, type EventBusMiddleware } from '@herald/core';
import type { Registry } from 'prom-client';
import type { EventStats, EventStatsFilter, EventTracker } from './event-tracker.js';
import { resolveOptions, type PrometheusEventTrackerOptions } from './options.js';
import { MetricsRecorder } from './recorder.js';
import { computeStats } from './stats/compute-stats.js';
import { trackerMiddleware } from './tracker-middleware.js';
import type { TypeSeries } from './type-series.js';

// The middleware recording into each tracker, built once in its constructor.
const middlewareOf = new WeakMap<PrometheusEventTracker, EventBusMiddleware>();

/**
 * The bus middleware that records into `tracker`:
 * `new XxxEventBus({ middleware: [prometheusMiddleware(tracker)] })`. It counts publishes once
 * the transport accepted them and every handling attempt (from core's `onOutcome`). One tracker
 * may serve several buses; calling this again returns the same middleware.
 */
export function prometheusMiddleware(tracker: PrometheusEventTracker): EventBusMiddleware {
  const middleware = middlewareOf.get(tracker);
  if (middleware === undefined) throw new TypeError('prometheusMiddleware: expected a PrometheusEventTracker');
  return middleware;
}

/**
 * Prometheus metrics for Herald, in seconds, and an {@link EventTracker} (statistics an
 * application reads in-process, without a Prometheus server).
 *
 * Give `prometheusMiddleware(tracker)` to any bus (`middleware: [...]`) to record publishes
 * and every handling attempt; `track(event)` records a successful handling by hand.
 */
export class PrometheusEventTracker implements EventTracker {
  /** The registry the metrics live on (the one passed in, or prom-client's global one). */
  readonly registry: Registry;
  private readonly recorder: MetricsRecorder;
  private readonly windowSeconds: number;
  private readonly now: () => number;

  constructor(options: PrometheusEventTrackerOptions = {}) {
    const resolved = resolveOptions(options);
    this.registry = resolved.registry;
    this.windowSeconds = resolved.statsWindowSeconds;
    this.recorder = new MetricsRecorder(resolved, options.now);
    this.now = () => this.recorder.now();
    middlewareOf.set(this, trackerMiddleware(this.recorder));
  }

  /**
   * The tracker's bus middleware.
   *
   * @deprecated Use `prometheusMiddleware(tracker)`, the same factory style as
   * `openTelemetryMiddleware()`. Kept as an alias (returning the same middleware) for one
   * release; removed in the next minor.
   */
  middleware(): EventBusMiddleware {
    return prometheusMiddleware(this);
  }

  /**
   * Records a successful handling of `event` now (latency from its timestamp; no handler
   * duration). Rejects with ValidationError for a malformed event, as a bus would.
   */
  async track(event: BaseEvent): Promise<void> {
    validateEvent(event);
    this.recorder.tracked(event);
  }

  /**
   * Settled handlings (success, failed, dead-lettered), their failure rate and latency in
   * seconds. Without `since`: lifetime totals and mean, percentiles over the retained
   * samples. With `since`: everything from that second on, at most the stats window back.
   */
  async getStats(filter: EventStatsFilter = {}): Promise<EventStats> {
    const nowMs = this.now();
    const sinceMs = this.resolveSince(filter.since, nowMs);
    let types: Iterable<TypeSeries>;
    if (filter.type === undefined) {
      types = this.recorder.types.all();
    } else {
      const series = this.recorder.types.find(filter.type);
      types = series === undefined ? [] : [series];
    }
    return computeStats(types, sinceMs, nowMs);
  }

  /** Mean seconds from timestamp to successful handling for `eventType`, over the tracker's lifetime; 0 when none. */
  async getLatency(eventType: string): Promise<number> {
    const totals = this.recorder.types.find(eventType)?.stats.lifetime;
    return totals === undefined || totals.latencyCount === 0 ? 0 : totals.latencySum / totals.latencyCount;
  }

  private resolveSince(since: Date | number | undefined, nowMs: number): number | undefined {
    if (since === undefined) return undefined;
    const ms = since instanceof Date ? since.getTime() : since;
    const windowStart = (Math.floor(nowMs / 1000) - this.windowSeconds + 1) * 1000;
    if (typeof ms !== 'number' || Number.isNaN(ms)) return windowStart;
    return Math.floor(Math.max(ms, windowStart) / 1000) * 1000;
  }
}
