import { LIFETIME_FAILED, LIFETIME_LATENCY_COUNT, LIFETIME_LATENCY_SUM, LIFETIME_SETTLED } from '../cells.js';
import { SampleRing } from './sample-ring.js';
import { SecondSlots, type WindowTotals } from './second-slots.js';

/**
 * What `getStats` needs of one event type: exact lifetime totals (kept in the type's cells),
 * per-second totals for the stats window (for `since`), and a reservoir of the most recent
 * latency samples (for percentiles). The window and the reservoir are allocated on first use.
 */
export class TypeStats {
  private slots: SecondSlots | undefined;
  private samples: SampleRing | undefined;

  constructor(
    private readonly cells: Float64Array,
    private readonly windowSeconds: number,
    private readonly reservoirSize: number,
  ) {}

  /** Lifetime totals, exact. */
  get lifetime(): WindowTotals {
    const c = this.cells;
    return {
      settled: c[LIFETIME_SETTLED]!,
      failed: c[LIFETIME_FAILED]!,
      latencySum: c[LIFETIME_LATENCY_SUM]!,
      latencyCount: c[LIFETIME_LATENCY_COUNT]!,
    };
  }

  recordSuccess(nowMs: number, latencySeconds: number): void {
    const c = this.cells;
    c[LIFETIME_SETTLED]!++;
    c[LIFETIME_LATENCY_SUM]! += latencySeconds;
    c[LIFETIME_LATENCY_COUNT]!++;
    this.window().recordSuccess(nowMs, latencySeconds);
    this.reservoir().push(nowMs, latencySeconds);
  }

  recordFailure(nowMs: number): void {
    const c = this.cells;
    c[LIFETIME_SETTLED]!++;
    c[LIFETIME_FAILED]!++;
    this.window().recordFailure(nowMs);
  }

  private window(): SecondSlots {
    if (this.slots === undefined) this.slots = new SecondSlots(this.windowSeconds);
    return this.slots;
  }

  private reservoir(): SampleRing {
    if (this.samples === undefined) this.samples = new SampleRing(this.reservoirSize);
    return this.samples;
  }

  /** Totals since `sinceMs` (whole seconds, within the window), or lifetime totals without it. */
  totals(sinceMs: number | undefined, nowMs: number): WindowTotals {
    if (sinceMs === undefined) return this.lifetime;
    const out: WindowTotals = { settled: 0, failed: 0, latencySum: 0, latencyCount: 0 };
    this.slots?.addTotals(sinceMs, nowMs, out);
    return out;
  }

  /** Retained latency samples taken at or after `sinceMs` (all retained ones without it). */
  latencySamples(sinceMs: number | undefined): number[] {
    const out: number[] = [];
    this.samples?.collect(sinceMs ?? Number.NEGATIVE_INFINITY, out);
    return out;
  }
}
