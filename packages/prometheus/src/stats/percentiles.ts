/** Samples from one source, each standing for `weight` observations. */
export interface WeightedGroup {
  values: readonly number[];
  weight: number;
}

/**
 * Nearest-rank percentiles over weighted groups of samples: for each p in (0, 1], the
 * smallest sample value whose cumulative weight reaches p × total weight. With every
 * weight 1 this is the textbook nearest rank, `sorted[ceil(p·n) − 1]`. Returns 0s when
 * there are no samples.
 */
export function weightedPercentiles(groups: readonly WeightedGroup[], ps: readonly number[]): number[] {
  let n = 0;
  for (const g of groups) n += g.values.length;
  if (n === 0) return ps.map(() => 0);
  const values = new Float64Array(n);
  const weights = new Float64Array(n);
  let k = 0;
  for (const g of groups) {
    for (const v of g.values) {
      values[k] = v;
      weights[k] = g.weight;
      k++;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i]!;
  return ps.map((p) => {
    // A hair below p·total so that p·n landing exactly on a rank is not lost to rounding.
    const target = p * total * (1 - 1e-12);
    let cumulative = 0;
    for (const i of order) {
      cumulative += weights[i]!;
      if (cumulative >= target) return values[i]!;
    }
    return values[order[n - 1] ?? 0] ?? 0;
  });
}

/**
 * Nearest-rank percentiles of `values` (any order; not modified): for each p in (0, 1], the
 * smallest value with at least p of the values at or below it, `sorted[ceil(p·n) − 1]`.
 * Returns 0s when there are no values. `percentiles([5, 1, 3], [0.5, 1])` → `[3, 5]`.
 */
export function percentiles(values: readonly number[], ps: readonly number[]): number[] {
  return weightedPercentiles([{ values, weight: 1 }], ps);
}
