import type { BaseEvent } from '@herald/core';

/** Which handlings `getStats` summarises. */
export interface EventStatsFilter {
  /** Only this event type (as labelled: a type beyond the label cap reads as `"other"`). */
  type?: string;
  /**
   * Only handlings at or after this time (a Date or epoch milliseconds). Resolved to whole
   * seconds, and no further back than the tracker's stats window.
   */
  since?: Date | number;
}

/** What `getStats` returns, with every time in seconds. */
export interface EventStats {
  /** Handlings that settled: success, failed and dead-lettered (filtered ones are not counted). */
  total: number;
  /** `total` per event type label. */
  byType: Record<string, number>;
  /** (failed + dead-lettered) / total; 0 when total is 0. */
  failureRate: number;
  /** Mean seconds from the event's timestamp to its successful handling; 0 when none. */
  averageLatency: number;
  /** Latency percentiles in seconds (nearest rank over the retained samples); 0 when none. */
  timeDistribution: { p50: number; p90: number; p99: number };
}

/**
 * Event statistics read in-process (`getStats`, `getLatency`) and recorded by hand (`track`),
 * for an application that wants the figures without querying Prometheus.
 */
export interface EventTracker {
  track(event: BaseEvent): Promise<void>;
  getStats(filter?: EventStatsFilter): Promise<EventStats>;
  /** Mean latency in seconds of successful handlings of `eventType`; 0 when none. */
  getLatency(eventType: string): Promise<number>;
}
