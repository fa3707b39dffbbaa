/** Sums over a span of seconds. */
export interface WindowTotals {
  settled: number;
  failed: number;
  latencySum: number;
  latencyCount: number;
}

// A slot's fields, side by side in one Float64Array so a record writes one place.
const SECOND = 0;
const SETTLED = 1;
const FAILED = 2;
const LATENCY_SUM = 3;
const LATENCY_COUNT = 4;
const STRIDE = 5;

/**
 * Per-second totals for the last `capacity` seconds, in a ring indexed by epoch second:
 * a slot is reclaimed (zeroed) when a later second maps onto it. Memory is fixed
 * (40 bytes a second) whatever the event rate.
 */
export class SecondSlots {
  private readonly slots: Float64Array;
  // The slot of the second last recorded, as a millisecond range: most records fall in it.
  private currentFrom = 0;
  private currentTo = 0;
  private current = 0;

  constructor(readonly capacity: number) {
    this.slots = new Float64Array(capacity * STRIDE);
    for (let i = 0; i < capacity; i++) this.slots[i * STRIDE + SECOND] = -1;
  }

  recordSuccess(nowMs: number, latencySeconds: number): void {
    const at = this.slot(nowMs);
    const slots = this.slots;
    slots[at + SETTLED]!++;
    slots[at + LATENCY_SUM]! += latencySeconds;
    slots[at + LATENCY_COUNT]!++;
  }

  recordFailure(nowMs: number): void {
    const at = this.slot(nowMs);
    const slots = this.slots;
    slots[at + SETTLED]!++;
    slots[at + FAILED]!++;
  }

  /** Adds the totals of every second from the one containing `sinceMs` up to the one containing `nowMs`. */
  addTotals(sinceMs: number, nowMs: number, into: WindowTotals): void {
    const nowSecond = Math.floor(nowMs / 1000);
    const first = Math.max(Math.floor(sinceMs / 1000), nowSecond - this.capacity + 1);
    const slots = this.slots;
    for (let at = 0; at < slots.length; at += STRIDE) {
      const s = slots[at + SECOND]!;
      if (s < first || s > nowSecond) continue;
      into.settled += slots[at + SETTLED]!;
      into.failed += slots[at + FAILED]!;
      into.latencySum += slots[at + LATENCY_SUM]!;
      into.latencyCount += slots[at + LATENCY_COUNT]!;
    }
  }

  /** Where the slot of `nowMs`'s second starts, reclaiming it when it still holds an older second. */
  private slot(nowMs: number): number {
    if (nowMs >= this.currentFrom && nowMs < this.currentTo) return this.current;
    const s = Math.floor(nowMs / 1000);
    const at = (s % this.capacity) * STRIDE;
    const slots = this.slots;
    if (slots[at + SECOND] !== s) {
      slots[at + SECOND] = s;
      slots[at + SETTLED] = 0;
      slots[at + FAILED] = 0;
      slots[at + LATENCY_SUM] = 0;
      slots[at + LATENCY_COUNT] = 0;
    }
    this.currentFrom = s * 1000;
    this.currentTo = this.currentFrom + 1000;
    this.current = at;
    return at;
  }
}
