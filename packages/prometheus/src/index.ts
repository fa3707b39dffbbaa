export { PrometheusEventTracker, prometheusMiddleware } from './prometheus-event-tracker.js';
export type { EventStats, EventStatsFilter, EventTracker } from './event-tracker.js';
export {
  DEFAULT_BUCKETS,
  DEFAULT_LATENCY_BUCKETS,
  OTHER_TYPE_LABEL,
  type PrometheusEventTrackerOptions,
} from './options.js';
export { serveMetrics, type MetricsServer, type ServeMetricsOptions } from './serve-metrics.js';
