import { describe, expect, it } from 'vitest';
import { type HandleOutcome, InMemoryEventBus, type RetryStrategy } from '../src/index.js';
import { DispatchPipeline } from '../src/transport.js';
import { WALL_CLOCK_AHEAD_MS, WALL_CLOCK_BEHIND_MS, WallClock } from '../src/bus/wall-clock.js';
import { domainEvent, eventually } from './helpers.js';

const never = new AbortController().signal;
const noRetry: RetryStrategy = { maxAttempts: 1, backoff: { type: 'fixed', delay: 1 }, deadLetter: { enabled: true } };

/**
 * How far an outcome's wall-clock time may stand from a `Date.now()` reading of the same
 * instant: the clock's own allowance either way, plus `Date.now()`'s whole-millisecond
 * rounding. These tests judge the order of events on the wall clock, never how long anything took.
 */
const AHEAD = WALL_CLOCK_AHEAD_MS + 1;
const BEHIND = WALL_CLOCK_BEHIND_MS + 1;

describe('HandleOutcome.endedAt', () => {
  it('is the wall-clock end of the attempt: the attempt spans the moment its handler ran, and was reported after it ended', async () => {
    // Given an observer and a handler that notes the wall clock while it runs, across a macrotask
    const heard: HandleOutcome[] = [];
    const pipeline = new DispatchPipeline({ middleware: [{ onOutcome: (_e, o) => void heard.push(o) }] });
    let inside = Number.NaN;
    const target = pipeline.createTarget('a.b', async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      inside = Date.now();
      await new Promise<void>((resolve) => setImmediate(resolve));
    });
    const before = Date.now();

    // When one attempt runs
    await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    const after = Date.now();

    // Then [endedAt - durationMs, endedAt] lies after `before`, holds the moment inside the handler and ends by `after`
    expect(heard).toHaveLength(1);
    const { endedAt, durationMs } = heard[0]!;
    expect(endedAt).toBeTypeOf('number');
    const end = endedAt ?? Number.NaN;
    const start = end - durationMs;
    expect(durationMs).toBeGreaterThanOrEqual(0);
    expect(start).toBeGreaterThanOrEqual(before - BEHIND);
    expect(start).toBeLessThanOrEqual(inside + AHEAD);
    expect(end).toBeGreaterThanOrEqual(inside - BEHIND);
    expect(end).toBeLessThanOrEqual(after + AHEAD);
  });

  it('is set for every status, on the in-memory bus too', async () => {
    // Given a bus whose observer records every outcome, a handler that succeeds, one that is filtered out and one that fails
    const heard: HandleOutcome[] = [];
    const bus = new InMemoryEventBus({ middleware: [{ onOutcome: (_e, o) => void heard.push(o) }] });
    await bus.subscribe('t.ok', async () => {});
    await bus.subscribe('t.skip', { handle: async () => {}, filter: () => false });
    await bus.subscribe('t.fail', {
      handle: async () => {
        throw new Error('boom');
      },
      retryStrategy: noRetry,
    });
    const before = Date.now();

    // When one event of each is published and settled
    await bus.publish(domainEvent({ type: 't.ok' }));
    await bus.publish(domainEvent({ type: 't.skip' }));
    await bus.publish(domainEvent({ type: 't.fail' }));
    await eventually(() => heard.length === 3, 'three outcomes');
    await bus.close();
    const after = Date.now();

    // Then each outcome carries a wall-clock end between the start of the test and its end
    expect(heard.map((o) => o.status).sort()).toEqual(['dead_lettered', 'filtered', 'success']);
    for (const { endedAt } of heard) {
      expect(endedAt).toBeTypeOf('number');
      expect(endedAt).toBeGreaterThanOrEqual(before - BEHIND);
      expect(endedAt).toBeLessThanOrEqual(after + AHEAD);
    }
  });
});

describe('WallClock', () => {
  it('adds the time origin to a performance.now() reading while the wall clock agrees', () => {
    // Given a wall clock in step with an origin of 1,000,000 ms
    let wall = 1_000_000 + 5;
    const clock = new WallClock(() => wall, 1_000_000, 1_000);

    // When readings are converted
    // Then they keep their fraction (Date.now() would round it away)
    expect(clock.epochAt(5.25)).toBe(1_000_005.25);
    wall = 1_000_000 + 10;
    expect(clock.epochAt(10.75)).toBe(1_000_010.75);
  });

  it('follows a wall clock that was stepped, within the re-check interval', () => {
    // Given a clock anchored at origin 1,000,000 and a wall clock that then jumps 60 s ahead
    let wall = 1_000_000;
    const clock = new WallClock(() => Math.floor(wall), 1_000_000, 1_000);
    expect(clock.epochAt(0)).toBe(1_000_000);
    wall = 1_000_000 + 500 + 60_000;

    // When read before and after the re-check interval has passed
    const early = clock.epochAt(500);
    wall = 1_000_000 + 1_000 + 60_000;
    const late = clock.epochAt(1_000);

    // Then the early reading still uses the old offset and the late one follows the wall clock (within 1 ms)
    expect(early).toBe(1_000_500);
    expect(Math.abs(late - wall)).toBeLessThanOrEqual(1);
  });

  it('does not move for the rounding of Date.now() alone', () => {
    // Given a wall clock that is the exact time rounded down to a whole millisecond
    const origin = 1_700_000_000_000.4;
    let exact = origin;
    const clock = new WallClock(() => Math.floor(exact), origin, 1_000);

    // When it is checked again and again over 10 s
    const gaps: number[] = [];
    for (let now = 0; now <= 10_000; now += 250) {
      exact = origin + now;
      gaps.push(clock.epochAt(now) - exact);
    }

    // Then the reading stays exact
    expect(gaps.every((g) => Math.abs(g) < 1e-6)).toBe(true);
  });

  it('the shared clock agrees with Date.now()', () => {
    // Given the clock the pipeline uses
    const clock = new WallClock();

    // When it converts performance.now()
    const before = Date.now();
    const at = clock.epochAt(performance.now());
    const after = Date.now();

    // Then it is between two Date.now() readings, within the clock's allowance and their rounding
    expect(at).toBeGreaterThanOrEqual(before - BEHIND);
    expect(at).toBeLessThanOrEqual(after + AHEAD);
  });
});
