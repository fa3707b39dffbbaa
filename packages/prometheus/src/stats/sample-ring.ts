/**
 * The most recent `capacity` samples (time and value), overwriting the oldest.
 * Fixed memory: 16 bytes a sample.
 */
export class SampleRing {
  private readonly at: Float64Array;
  private readonly values: Float64Array;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.at = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  push(atMs: number, value: number): void {
    const i = this.next;
    this.at[i] = atMs;
    this.values[i] = value;
    this.next = i + 1 === this.capacity ? 0 : i + 1;
    if (this.size < this.capacity) this.size++;
  }

  /** Appends the values of samples taken at or after `sinceMs` to `out`; returns how many. */
  collect(sinceMs: number, out: number[]): number {
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.at[i]! >= sinceMs) {
        out.push(this.values[i]!);
        n++;
      }
    }
    return n;
  }
}
