/**
 * Epoch milliseconds from a `performance.now()` reading, so a caller that already read the
 * monotonic clock (to time an attempt) gets the wall-clock time of that same instant without
 * a second clock read: a clock read costs as much as a few hundred lines of plain JavaScript.
 *
 * The offset starts at `performance.timeOrigin` (sub-millisecond) and is checked against
 * `Date.now()` at most once per `recheckMs`: when the wall clock was stepped (NTP, a resumed
 * VM) or the two clocks drifted apart by more than Date.now()'s own whole-millisecond
 * rounding, the offset follows the wall clock. Between checks the result is as exact as the
 * monotonic clock; after a step it is wrong for at most `recheckMs`.
 */
/**
 * How far a reading may run ahead of `Date.now()` before the offset is moved (`Date.now()`
 * is the true time rounded down, so an exact reading is up to 1 ms ahead of it; the other
 * 0.5 ms absorbs jitter). Behind it by more than 0.5 ms also moves the offset. So a reading is
 * within [Date.now() - 0.5, Date.now() + 1.5] of the same instant.
 */
export const WALL_CLOCK_AHEAD_MS = 1.5;
export const WALL_CLOCK_BEHIND_MS = 0.5;

export class WallClock {
  private offset: number;
  private checkAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly dateNow: () => number = Date.now,
    timeOrigin: number = performance.timeOrigin,
    private readonly recheckMs = 1_000,
  ) {
    this.offset = timeOrigin;
  }

  /** The epoch milliseconds (fractional) at the instant `performance.now()` returned `now`. */
  epochAt(now: number): number {
    if (now >= this.checkAt) this.recheck(now);
    return this.offset + now;
  }

  private recheck(now: number): void {
    this.checkAt = now + this.recheckMs;
    const wall = this.dateNow();
    // Date.now() is the true time rounded down to a whole millisecond: up to 1 ms behind an
    // exact offset. Only a larger gap means the clocks really parted.
    const gap = wall - (this.offset + now);
    if (gap > WALL_CLOCK_BEHIND_MS || gap < -WALL_CLOCK_AHEAD_MS) this.offset = wall + 0.5 - now;
  }
}

/** The process-wide clock the dispatch pipeline stamps outcomes with. */
export const wallClock = new WallClock();
