/**
 * One histogram series kept in plain typed arrays: a per-bucket count (not cumulative,
 * the last slot is the +Inf overflow), the sum and the count. `observe` is a short
 * scan and three additions, with no allocation, label hashing or validation.
 */
export class BucketCounts {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: Float64Array) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    const n = bounds.length;
    let i = 0;
    while (i < n && value > bounds[i]!) i++;
    this.counts[i] = this.counts[i]! + 1;
    this.sum += value;
    this.count++;
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
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}
