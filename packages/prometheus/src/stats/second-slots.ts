/** Sums over a span of seconds. */
export interface WindowTotals {
  settled: number;
  failed: number;
  latencySum: number;
  latencyCount: number;
}

/**
 * Per-second totals for the last `capacity` seconds, in a ring indexed by epoch second:
 * a slot is reclaimed (zeroed) when a later second maps onto it. Memory is fixed
 * (≈28 bytes a second) whatever the event rate.
 */
export class SecondSlots {
  private readonly second: Float64Array;
  private readonly settled: Uint32Array;
  private readonly failed: Uint32Array;
  private readonly latencySum: Float64Array;
  private readonly latencyCount: Uint32Array;

  constructor(readonly capacity: number) {
    this.second = new Float64Array(capacity).fill(-1);
    this.settled = new Uint32Array(capacity);
    this.failed = new Uint32Array(capacity);
    this.latencySum = new Float64Array(capacity);
    this.latencyCount = new Uint32Array(capacity);
  }

  recordSuccess(nowMs: number, latencySeconds: number): void {
    const i = this.slot(nowMs);
    this.settled[i] = this.settled[i]! + 1;
    this.latencySum[i] = this.latencySum[i]! + latencySeconds;
    this.latencyCount[i] = this.latencyCount[i]! + 1;
  }

  recordFailure(nowMs: number): void {
    const i = this.slot(nowMs);
    this.settled[i] = this.settled[i]! + 1;
    this.failed[i] = this.failed[i]! + 1;
  }

  /** Adds the totals of every second from the one containing `sinceMs` up to the one containing `nowMs`. */
  addTotals(sinceMs: number, nowMs: number, into: WindowTotals): void {
    const nowSecond = Math.floor(nowMs / 1000);
    const first = Math.max(Math.floor(sinceMs / 1000), nowSecond - this.capacity + 1);
    for (let i = 0; i < this.capacity; i++) {
      const s = this.second[i]!;
      if (s < first || s > nowSecond) continue;
      into.settled += this.settled[i]!;
      into.failed += this.failed[i]!;
      into.latencySum += this.latencySum[i]!;
      into.latencyCount += this.latencyCount[i]!;
    }
  }

  private slot(nowMs: number): number {
    const s = Math.floor(nowMs / 1000);
    const i = s % this.capacity;
    if (this.second[i] !== s) {
      this.second[i] = s;
      this.settled[i] = 0;
      this.failed[i] = 0;
      this.latencySum[i] = 0;
      this.latencyCount[i] = 0;
    }
    return i;
  }
}
