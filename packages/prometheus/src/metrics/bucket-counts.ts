/**
 * One histogram series kept in a slice of a Float64Array (the type's cells, see
 * type-series.ts): the sum, the count, the bucket the last value fell in, then a count per
 * bucket (not cumulative; the last slot is the +Inf overflow). `observeInto` is the hot
 * path: usually one range check against the previous value's bucket and three additions,
 * with no allocation, label hashing or validation.
 */
export const HISTOGRAM_SUM = 0;
export const HISTOGRAM_COUNT = 1;
const LAST_BUCKET = 2;
const BUCKETS = 3;

/** Cells a histogram over `bounds` takes. */
export function histogramCells(bounds: Float64Array): number {
  return BUCKETS + bounds.length + 1;
}

/** Observes `value` into the histogram over `bounds` stored at `cells[at …]`. */
export function observeInto(cells: Float64Array, at: number, bounds: Float64Array, value: number): void {
  let i = cells[at + LAST_BUCKET]!;
  // Bucket i holds bounds[i - 1] < value ≤ bounds[i] (the last one has no upper bound).
  // Consecutive values mostly share a bucket, so the previous one is tried first.
  if (!((i === bounds.length || value <= bounds[i]!) && (i === 0 || value > bounds[i - 1]!))) {
    const n = bounds.length;
    i = 0;
    while (i < n && value > bounds[i]!) i++;
    cells[at + LAST_BUCKET] = i;
  }
  cells[at + BUCKETS + i]!++;
  cells[at + HISTOGRAM_SUM]! += value;
  cells[at + HISTOGRAM_COUNT]!++;
}

/** A read-side view of one histogram series, for the collector and tests. */
export class BucketCounts {
  /** Per-bucket counts (not cumulative); the last one is the +Inf overflow. */
  readonly counts: Float64Array;

  constructor(
    readonly bounds: Float64Array,
    private readonly cells: Float64Array = new Float64Array(histogramCells(bounds)),
    private readonly at = 0,
  ) {
    this.counts = cells.subarray(at + BUCKETS, at + BUCKETS + bounds.length + 1);
  }

  get sum(): number {
    return this.cells[this.at + HISTOGRAM_SUM]!;
  }

  get count(): number {
    return this.cells[this.at + HISTOGRAM_COUNT]!;
  }

  observe(value: number): void {
    observeInto(this.cells, this.at, this.bounds, value);
  }

  /** Cumulative count of observations ≤ `bounds[i]` (or all of them for i = bounds.length). */
  cumulative(): Float64Array {
    const out = new Float64Array(this.counts.length);
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i]!;
      out[i] = acc;
    }
    return out;
  }

  reset(): void {
    this.cells.fill(0, this.at, this.at + histogramCells(this.bounds));
  }
}
