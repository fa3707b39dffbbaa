import type { EventStats } from '../event-tracker.js';
import { weightedPercentiles, type WeightedGroup } from './percentiles.js';
import type { TypeStats } from './type-stats.js';

export interface LabelledStats {
  readonly label: string;
  readonly stats: TypeStats;
}

const PERCENTILES = [0.5, 0.9, 0.99] as const;

/**
 * Builds the EventStats `getStats` returns from per-type stats. `sinceMs` (already clamped to the
 * window and floored to a whole second) selects the windowed totals and samples;
 * without it, totals are lifetime and percentiles use every retained sample.
 *
 * Percentiles merge the types' samples with weights: a type's samples stand for all of
 * its successful handlings in range (count ÷ samples kept), so a busy type whose
 * reservoir overflowed still counts in proportion to its traffic.
 */
export function computeStats(types: Iterable<LabelledStats>, sinceMs: number | undefined, nowMs: number): EventStats {
  let total = 0;
  let failed = 0;
  let latencySum = 0;
  let latencyCount = 0;
  const byType: Record<string, number> = {};
  const groups: WeightedGroup[] = [];
  for (const { label, stats } of types) {
    const t = stats.totals(sinceMs, nowMs);
    if (t.settled > 0) byType[label] = t.settled;
    total += t.settled;
    failed += t.failed;
    latencySum += t.latencySum;
    latencyCount += t.latencyCount;
    const values = stats.latencySamples(sinceMs);
    if (values.length > 0) groups.push({ values, weight: Math.max(t.latencyCount, values.length) / values.length });
  }
  const [p50, p90, p99] = weightedPercentiles(groups, PERCENTILES);
  return {
    total,
    byType,
    failureRate: total === 0 ? 0 : failed / total,
    averageLatency: latencyCount === 0 ? 0 : latencySum / latencyCount,
    timeDistribution: { p50: p50!, p90: p90!, p99: p99! },
  };
}
