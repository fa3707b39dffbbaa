/**
 * `@herald/prometheus/stats`: the small statistics helpers behind `getStats`, for code that
 * keeps its own latency figures (a dashboard, a report) and wants the same definitions. This
 * entry does not load prom-client.
 */
export { SampleRing } from './sample-ring.js';
export { percentiles, weightedPercentiles, type WeightedGroup } from './percentiles.js';
