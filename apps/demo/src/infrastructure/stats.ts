/** Nearest-rank percentile of an ascending array; 0 for an empty one. */
export function percentile(sortedAsc: ArrayLike<number>, p: number): number {
  const n = sortedAsc.length;
  if (n === 0) return 0;
  const i = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sortedAsc[i]!;
}

/** A fixed-size ring of numbers: the most recent `capacity` samples. */
export class SampleRing {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;
  private sum = 0;
  private total = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  add(value: number): void {
    if (this.filled === this.values.length) this.sum -= this.values[this.next]!;
    else this.filled++;
    this.values[this.next] = value;
    this.sum += value;
    this.next = (this.next + 1) % this.values.length;
    this.total++;
  }

  /** Samples ever added (also those that fell out of the ring). */
  get count(): number {
    return this.total;
  }

  summary(): { count: number; avg: number; p50: number; p90: number; p99: number; max: number } {
    const sorted = this.values.slice(0, this.filled).sort();
    return {
      count: this.total,
      avg: this.filled === 0 ? 0 : this.sum / this.filled,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: this.filled === 0 ? 0 : sorted[this.filled - 1]!,
    };
  }
}
