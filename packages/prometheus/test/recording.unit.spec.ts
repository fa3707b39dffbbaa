import type { BaseEvent, Subscription } from '@herald/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PrometheusEventTracker, prometheusMiddleware } from '../src/index.js';
import { BucketCounts } from '../src/metrics/bucket-counts.js';
import { SecondSlots, type WindowTotals } from '../src/stats/second-slots.js';
import { fakeClock, makeEvent, metricValue, seededRandom } from './helpers.js';

const subscription: Subscription = { id: 's', pattern: '#', concurrency: 1 };

describe('BucketCounts', () => {
  it('counts like a plain scan over the bounds, whatever order the values come in', () => {
    // Given bounds and 5,000 values: runs in one bucket, jumps, exact bounds, below the first and past the last
    const bounds = Float64Array.from([0.001, 0.005, 0.01, 0.1, 1, 10]);
    const random = seededRandom(3);
    const special = [0, 0.001, 0.0010001, 0.005, 10, 10.5, 1e9, 0.0001];
    const values: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      const roll = random();
      if (roll < 0.2) values.push(special[Math.floor(random() * special.length)]!);
      else if (roll < 0.6 && values.length > 0) values.push(values[values.length - 1]!);
      else values.push(random() ** 4 * 20);
    }
    const expected = new Float64Array(bounds.length + 1);
    for (const v of values) {
      let i = 0;
      while (i < bounds.length && v > bounds[i]!) i++;
      expected[i]!++;
    }

    // When they are observed
    const counts = new BucketCounts(bounds);
    for (const v of values) counts.observe(v);

    // Then buckets, count and sum are those of the plain scan (le: a value on a bound is in that bucket)
    expect(Array.from(counts.counts)).toEqual(Array.from(expected));
    expect(counts.count).toBe(values.length);
    expect(counts.sum).toBeCloseTo(values.reduce((a, b) => a + b, 0), 6);
    expect(counts.cumulative()[bounds.length]).toBe(values.length);
  });

  it('starts from zero after reset, and still buckets correctly', () => {
    // Given a histogram whose last value went past the last bound
    const counts = new BucketCounts(Float64Array.from([1, 2]));
    counts.observe(5);
    // When it is reset and observes a small value
    counts.reset();
    counts.observe(0.5);
    // Then only that value is counted, in the first bucket
    expect(Array.from(counts.counts)).toEqual([1, 0, 0]);
    expect(counts.count).toBe(1);
    expect(counts.sum).toBe(0.5);
  });
});

describe('SecondSlots', () => {
  const totals = (slots: SecondSlots, sinceMs: number, nowMs: number): WindowTotals => {
    const out = { settled: 0, failed: 0, latencySum: 0, latencyCount: 0 };
    slots.addTotals(sinceMs, nowMs, out);
    return out;
  };

  it('puts each record in its own second, also when time goes back and forth', () => {
    // Given a 10-second window
    const slots = new SecondSlots(10);
    const t0 = Date.UTC(2025, 0, 1);

    // When records land in second 0, second 1, second 0 again (a stepped clock), then second 1
    slots.recordSuccess(t0 + 100, 0.5);
    slots.recordSuccess(t0 + 1_500, 1);
    slots.recordFailure(t0 + 999);
    slots.recordSuccess(t0 + 1_999.5, 2);

    // Then each second holds its own records
    expect(totals(slots, t0, t0 + 999)).toEqual({ settled: 2, failed: 1, latencySum: 0.5, latencyCount: 1 });
    expect(totals(slots, t0 + 1_000, t0 + 1_999)).toEqual({ settled: 2, failed: 0, latencySum: 3, latencyCount: 2 });
  });

  it('reclaims a slot when a second one window later maps onto it', () => {
    // Given a 10-second window with a record in second 0
    const slots = new SecondSlots(10);
    const t0 = Date.UTC(2025, 0, 1);
    slots.recordFailure(t0);

    // When a record lands in second 10, which maps onto the same slot
    slots.recordFailure(t0 + 10_000);

    // Then second 0 is gone from the window and second 10 holds one record
    expect(totals(slots, t0, t0 + 10_999)).toEqual({ settled: 1, failed: 1, latencySum: 0, latencyCount: 0 });
  });
});

describe('latency from the outcome', () => {
  it("uses the outcome's endedAt (no clock read) when no test clock is given", async () => {
    // Given a tracker with the default clock and an event stamped long ago
    const registry = new Registry();
    const tracker = new PrometheusEventTracker({ registry });
    const mw = prometheusMiddleware(tracker);
    const stamped = Date.UTC(2020, 0, 1);
    const event: BaseEvent = makeEvent('timed.by.outcome', { timestamp: new Date(stamped) });

    // When core reports a success that ended 250 ms after the timestamp
    mw.onOutcome!(event, { status: 'success', attempt: 1, maxAttempts: 1, subscription, durationMs: 2, endedAt: stamped + 250 });

    // Then the latency is exactly those 250 ms, in seconds
    expect(await metricValue(registry, 'event_latency_seconds', { type: 'timed.by.outcome' }, 'event_latency_seconds_sum')).toBe(0.25);
    expect(await tracker.getLatency('timed.by.outcome')).toBe(0.25);
    expect(await metricValue(registry, 'event_handler_duration_seconds', { type: 'timed.by.outcome' }, 'event_handler_duration_seconds_sum')).toBe(0.002);
  });

  it('falls back to Date.now() for an outcome without endedAt, and a test clock always wins', async () => {
    // Given one tracker on the default clock and one on a test clock 1 s after the event
    const event: BaseEvent = makeEvent('timed.by.clock', { timestamp: new Date(Date.now() - 60_000) });
    const clock = fakeClock(event.timestamp.getTime() + 1_000);
    const onDefault = new PrometheusEventTracker({ registry: new Registry() });
    const onTestClock = new PrometheusEventTracker({ registry: new Registry(), now: clock.now });

    // When each hears a success (the second one with an endedAt that must be ignored)
    prometheusMiddleware(onDefault).onOutcome!(event, { status: 'success', attempt: 1, maxAttempts: 1, subscription, durationMs: 1 });
    prometheusMiddleware(onTestClock).onOutcome!(event, {
      status: 'success',
      attempt: 1,
      maxAttempts: 1,
      subscription,
      durationMs: 1,
      endedAt: event.timestamp.getTime() + 5_000,
    });

    // Then the first measured against Date.now() (about 60 s) and the second against its test clock (1 s)
    expect(await onDefault.getLatency('timed.by.clock')).toBeGreaterThanOrEqual(60);
    expect(await onDefault.getLatency('timed.by.clock')).toBeLessThan(70);
    expect(await onTestClock.getLatency('timed.by.clock')).toBe(1);
  });

  it('files a failure in the stats window by the second it ended in', async () => {
    // Given a tracker on the default clock
    const tracker = new PrometheusEventTracker({ registry: new Registry() });
    const event = makeEvent('timed.failure');
    const now = Date.now();

    // When a failure is reported as having ended now
    prometheusMiddleware(tracker).onOutcome!(event, {
      status: 'failed',
      attempt: 1,
      maxAttempts: 1,
      subscription,
      durationMs: 1,
      endedAt: now,
      error: new Error('x'),
    });

    // Then it counts in a window starting at that second
    const stats = await tracker.getStats({ since: Math.floor(now / 1000) * 1000 });
    expect(stats.total).toBe(1);
    expect(stats.failureRate).toBe(1);
  });
});
