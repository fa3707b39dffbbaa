import { positiveInt } from '@herald/core/transport';

/**
 * The most recent `capacity` samples (time and value), overwriting the oldest: the latency
 * reservoir behind `getStats` percentiles. One Float64Array with each sample's time and value
 * side by side, so a push writes one place and allocates nothing. Fixed memory: 16 bytes a
 * sample.
 */
export class SampleRing {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;

  /** @throws ValidationError unless `capacity` is an integer ≥ 1. */
  constructor(readonly capacity: number) {
    positiveInt(capacity, 'capacity');
    this.samples = new Float64Array(capacity * 2);
  }

  /** Samples held now: at most `capacity`. */
  get size(): number {
    return this.filled;
  }

  /** Records `value` taken at `atMs` (any monotonic time unit; `collect` filters on it). */
  push(atMs: number, value: number): void {
    const i = this.next;
    this.samples[i] = atMs;
    this.samples[i + 1] = value;
    this.next = i + 2 === this.samples.length ? 0 : i + 2;
    if (this.filled < this.capacity) this.filled++;
  }

  /** Appends the values of samples taken at or after `sinceMs` to `out`; returns how many. */
  collect(sinceMs: number, out: number[]): number {
    let n = 0;
    for (let i = 0; i < this.filled * 2; i += 2) {
      if (this.samples[i]! >= sinceMs) {
        out.push(this.samples[i + 1]!);
        n++;
      }
    }
    return n;
  }
}
