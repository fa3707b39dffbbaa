/**
 * The most recent `capacity` samples (time and value), overwriting the oldest. One
 * Float64Array with each sample's time and value side by side, so a push writes one
 * place. Fixed memory: 16 bytes a sample.
 */
export class SampleRing {
  private readonly samples: Float64Array;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.samples = new Float64Array(capacity * 2);
  }

  push(atMs: number, value: number): void {
    const i = this.next;
    this.samples[i] = atMs;
    this.samples[i + 1] = value;
    this.next = i + 2 === this.samples.length ? 0 : i + 2;
    if (this.size < this.capacity) this.size++;
  }

  /** Appends the values of samples taken at or after `sinceMs` to `out`; returns how many. */
  collect(sinceMs: number, out: number[]): number {
    let n = 0;
    for (let i = 0; i < this.size * 2; i += 2) {
      if (this.samples[i]! >= sinceMs) {
        out.push(this.samples[i + 1]!);
        n++;
      }
    }
    return n;
  }
}
