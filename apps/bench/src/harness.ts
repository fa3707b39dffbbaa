import net from 'node:net';
import { createDomainEvent, type DomainEvent } from '@herald/core';

/**
 * The benchmark harness: each scenario measures Herald and, in the same run,
 * the best alternative as its baseline. Results are printed as a table and
 * written to results/latest.json as
 * `[{ scenario, metric, herald, baseline, baselineName, ratio }]`
 * with ratio = herald / baseline (higher is better; for "lower is better"
 * metrics such as latency the scenario inverts before reporting).
 */
export interface BenchContext {
  /** Seconds-long run for CI: fewer events, no thresholds enforced. */
  quick: boolean;
  log(message: string): void;
}

export interface BenchResult {
  scenario: string;
  metric: string;
  herald: number;
  baseline: number;
  baselineName: string;
  /** herald / baseline, oriented so higher is better. */
  ratio: number;
  unit?: string;
  /** The target for this ratio or figure, for the report. */
  target?: string;
  /** Whether the target was met in this run (undefined when there is none). */
  met?: boolean;
}

export interface Scenario {
  name: string;
  /** Servers needed; the scenario is skipped with a note when one is unreachable. */
  requires?: Array<'redis' | 'rabbitmq'>;
  run(ctx: BenchContext): Promise<BenchResult[]>;
}

/** Events per second over `fn`, which must process `count` events. */
export async function throughput(count: number, fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  const seconds = (performance.now() - started) / 1000;
  return count / seconds;
}

/** Best of `runs` measurements (reduces noise from GC and the other core). */
export async function bestOf(runs: number, measure: () => Promise<number>): Promise<number> {
  let best = -Infinity;
  for (let i = 0; i < runs; i++) best = Math.max(best, await measure());
  return best;
}

export function percentile(sortedAsc: number[], p: number): number {
  if (sortedAsc.length === 0) return Number.NaN;
  const i = Math.min(sortedAsc.length - 1, Math.max(0, Math.ceil((p / 100) * sortedAsc.length) - 1));
  return sortedAsc[i]!;
}

export function result(
  r: Omit<BenchResult, 'ratio' | 'met'> & { ratio?: number; higherIsBetter?: boolean; minRatio?: number },
): BenchResult {
  const { higherIsBetter = true, minRatio, ...rest } = r;
  const ratio = r.ratio ?? (higherIsBetter ? r.herald / r.baseline : r.baseline / r.herald);
  const out: BenchResult = { ...rest, ratio };
  if (minRatio !== undefined) {
    out.met = ratio >= minRatio;
    out.target ??= `ratio ≥ ${minRatio}`;
  }
  return out;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * `count` sound domain events of `type` of ~400 bytes encoded (nested data, an array, a
 * user id), built once so a run measures publishing, not event construction.
 */
export function questEvents(type: string, count: number): DomainEvent[] {
  return Array.from({ length: count }, (_, i) =>
    createDomainEvent({
      type,
      aggregateId: `player-${i % 97}`,
      aggregateType: 'player',
      data: {
        points: i,
        reason: 'quest-completed',
        tags: ['daily', 'bonus'],
        quest: { id: `q-${i % 31}`, tier: 'gold', attempts: 1 + (i % 5) },
      },
      version: 1 + (i % 50),
      metadata: { source: 'bench', environment: 'bench', userId: `user-${i % 13}` },
    }),
  );
}

/** Runs `publishOne(i)` for every i < n with at most `window` of them in flight. */
export async function windowed(n: number, window: number, publishOne: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await publishOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, n) }, lane));
}

/** The paging row both stores report: a page at `deep` against one at position 0 (µs, lower is better). */
export function deepPageResult(scenario: string, deep: number, quick: boolean, atDeep: number, atStart: number): BenchResult {
  return result({
    scenario,
    metric: `page of 100 at position ${deep.toLocaleString('en-US')}${quick ? ' (quick: smaller log)' : ''}`,
    unit: 'µs/page',
    herald: atDeep,
    baseline: atStart,
    baselineName: 'same store, page at position 0',
    higherIsBetter: false,
    minRatio: 0.5,
    target: 'deep page ≤ 2× the time (ratio ≥ 0.5)',
  });
}

/** Mean microseconds per `getAllEvents(position, 100)` over `reads` reads; every page must be full. */
export async function pageMicros(
  store: { getAllEvents(from: number, batchSize: number): Promise<unknown[]> },
  position: number,
  reads: number,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < reads; i++) {
    const page = await store.getAllEvents(position, 100);
    if (page.length !== 100) throw new Error(`bench: page at ${position} had ${page.length} events`);
  }
  return ((performance.now() - started) * 1000) / reads;
}

/** Counts handled events; `reached(n)` resolves when the count gets there, or rejects after `timeoutMs`. */
export class HandledCounter {
  count = 0;
  private target = Number.POSITIVE_INFINITY;
  private wake: (() => void) | undefined;

  hit(): void {
    if (++this.count >= this.target && this.wake) {
      const wake = this.wake;
      this.wake = undefined;
      wake();
    }
  }

  reached(target: number, what: string, timeoutMs: number): Promise<void> {
    if (this.count >= target) return Promise.resolve();
    this.target = target;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        reject(new Error(`bench: timed out waiting for ${what} (${this.count}/${target})`));
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port within a second. */
export function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
