import type { BaseEvent, HandleOutcome, Subscription } from '@herald/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PrometheusEventTracker, prometheusMiddleware } from '../src/index.js';
import { fakeClock, makeEvent, seededRandom } from './helpers.js';
import { percentileRankInterval } from './order-statistics.js';

const subscription: Subscription = { id: 's', pattern: '#', concurrency: 1 };

/** Drives the tracker as a bus would: an event stamped `latencyMs` before "now", then its outcome. */
function harness(options: { reservoirSize?: number; statsWindowSeconds?: number; maxEventTypes?: number } = {}) {
  const clock = fakeClock();
  const tracker = new PrometheusEventTracker({ registry: new Registry(), now: clock.now, ...options });
  const mw = prometheusMiddleware(tracker);
  const outcome = (type: string, status: HandleOutcome['status'], latencyMs = 0): void => {
    const event: BaseEvent = makeEvent(type, { timestamp: new Date(clock.now() - latencyMs) });
    mw.onOutcome!(event, { status, attempt: 1, maxAttempts: 1, subscription, durationMs: 1 });
  };
  return { tracker, clock, outcome };
}

/** The p-quantile of Exp(rate). */
const expQuantile = (p: number, rate: number) => -Math.log(1 - p) / rate;

describe('getStats / getLatency', () => {
  it('gives exact nearest-rank percentiles while samples fit the reservoir (uniform 1..1000 ms)', async () => {
    // Given 1000 successes with latencies 1, 2, … 1000 ms in shuffled order
    const { tracker, outcome } = harness({ reservoirSize: 1000 });
    const random = seededRandom(1);
    const latencies = Array.from({ length: 1000 }, (_, i) => i + 1).sort(() => random() - 0.5);
    for (const ms of latencies) outcome('uniform.latency', 'success', ms);

    // When the stats are read
    const stats = await tracker.getStats();

    // Then they are exact, in seconds
    expect(stats.total).toBe(1000);
    expect(stats.byType).toEqual({ 'uniform.latency': 1000 });
    expect(stats.failureRate).toBe(0);
    expect(stats.averageLatency).toBeCloseTo(0.5005, 12);
    expect(stats.timeDistribution).toEqual({ p50: 0.5, p90: 0.9, p99: 0.99 });
    expect(await tracker.getLatency('uniform.latency')).toBeCloseTo(0.5005, 12);
  });

  it('keeps percentiles within the documented tolerance when the reservoir overflows (exponential, mean 100 ms)', async () => {
    // Given 50,000 successes drawn from Exp(rate 10/s) and the default 1024-sample reservoir
    const n = 1024;
    const rate = 10;
    const { tracker, outcome } = harness();
    const random = seededRandom(42);
    let sumMs = 0;
    for (let i = 0; i < 50_000; i++) {
      const ms = Math.round(expQuantile(random(), rate) * 1000); // Date timestamps have whole milliseconds
      sumMs += ms;
      outcome('exp.latency', 'success', ms);
    }

    // When the stats are read
    const { averageLatency, timeDistribution, total } = await tracker.getStats({ type: 'exp.latency' });

    // Then the mean is exact (lifetime totals), and each pX is a true quantile inside its
    // 99.9% order-statistic interval for n = 1024 (p50: p44.8–p55.1, p90: p86.6–p92.8, p99: p97.6–p99.7)
    expect(total).toBe(50_000);
    expect(averageLatency).toBeCloseTo(sumMs / 50_000 / 1000, 12);
    for (const [p, value] of [
      [0.5, timeDistribution.p50],
      [0.9, timeDistribution.p90],
      [0.99, timeDistribution.p99],
    ] as const) {
      const [lo, hi] = percentileRankInterval(n, p);
      expect(value, `p${p * 100}`).toBeGreaterThanOrEqual(expQuantile(lo, rate) - 0.0005);
      expect(value, `p${p * 100}`).toBeLessThanOrEqual(expQuantile(hi, rate) + 0.0005);
    }
  });

  it('documents the right interval: 1024-sample bounds match the figures in the README', () => {
    const round = ([lo, hi]: [number, number]) => [Math.round(lo * 1000) / 10, Math.round(hi * 1000) / 10];
    expect(round(percentileRankInterval(1024, 0.5))).toEqual([44.8, 55.1]);
    expect(round(percentileRankInterval(1024, 0.9))).toEqual([86.6, 92.8]);
    expect(round(percentileRankInterval(1024, 0.99))).toEqual([97.6, 99.7]);
  });

  it('weights each type by its traffic when merging reservoirs', async () => {
    // Given a busy fast type (10,000 × 10 ms) and a rare slow one (100 × 1 s), 100-sample reservoirs
    const { tracker, outcome } = harness({ reservoirSize: 100 });
    for (let i = 0; i < 10_000; i++) outcome('busy.fast', 'success', 10);
    for (let i = 0; i < 100; i++) outcome('rare.slow', 'success', 1000);

    // When the stats for all types are read
    const { timeDistribution, total, byType } = await tracker.getStats();

    // Then the slow type is ~1% of handlings: below p99, so every percentile is the fast latency
    expect(total).toBe(10_100);
    expect(byType).toEqual({ 'busy.fast': 10_000, 'rare.slow': 100 });
    expect(timeDistribution).toEqual({ p50: 0.01, p90: 0.01, p99: 0.01 });
    // while the slow type on its own is all slow
    expect((await tracker.getStats({ type: 'rare.slow' })).timeDistribution.p50).toBe(1);
  });

  it('computes failure rate over settled handlings, leaving filtered and retrying attempts out', async () => {
    // Given 6 successes, 1 failure, 1 dead letter, 3 filtered and 2 retrying attempts
    const { tracker, outcome } = harness();
    for (let i = 0; i < 6; i++) outcome('mixed.outcomes', 'success', 20);
    outcome('mixed.outcomes', 'failed');
    outcome('mixed.outcomes', 'dead_lettered');
    for (let i = 0; i < 3; i++) outcome('mixed.outcomes', 'filtered');
    for (let i = 0; i < 2; i++) outcome('mixed.outcomes', 'retrying');

    // When the stats are read
    const stats = await tracker.getStats();

    // Then total = 8 settled, 2 of them failures; latency comes from successes only
    expect(stats.total).toBe(8);
    expect(stats.failureRate).toBe(0.25);
    expect(stats.averageLatency).toBeCloseTo(0.02, 12);
    expect(stats.timeDistribution.p99).toBe(0.02);
  });

  it('answers `since` from the per-second window, exactly at whole seconds', async () => {
    // Given 10 handlings a second for 60 seconds, the last 10 seconds all failing and slow
    const { tracker, clock, outcome } = harness({ statsWindowSeconds: 120, reservoirSize: 10_000 });
    const start = clock.now();
    for (let s = 0; s < 60; s++) {
      for (let i = 0; i < 10; i++) {
        if (s >= 50) outcome('windowed.type', i < 5 ? 'failed' : 'success', 500);
        else outcome('windowed.type', 'success', 5);
        clock.advance(100);
      }
    }

    // When asked about the last 10 seconds (as a Date and as epoch ms) and about everything
    const recent = await tracker.getStats({ since: new Date(start + 50_000) });
    const recentMs = await tracker.getStats({ since: start + 50_000 });
    const all = await tracker.getStats();

    // Then the window holds only those seconds
    expect(recent).toEqual(recentMs);
    expect(recent.total).toBe(100);
    expect(recent.failureRate).toBe(0.5);
    expect(recent.averageLatency).toBeCloseTo(0.5, 12);
    expect(recent.timeDistribution.p50).toBe(0.5);
    expect(all.total).toBe(600);
    expect(all.failureRate).toBeCloseTo(50 / 600, 12);
    expect(all.timeDistribution.p50).toBe(0.005);
  });

  it('clamps `since` to the stats window', async () => {
    // Given a 10-second window and handlings 30 s ago and now
    const { tracker, clock, outcome } = harness({ statsWindowSeconds: 10 });
    outcome('old.and.new', 'success', 1);
    clock.advance(30_000);
    outcome('old.and.new', 'success', 1);

    // When asked since long before the window
    const stats = await tracker.getStats({ since: 0 });

    // Then only the window counts, while the lifetime view keeps both
    expect(stats.total).toBe(1);
    expect((await tracker.getStats()).total).toBe(2);
  });

  it('folds types beyond the cap into "other" for stats as for labels', async () => {
    // Given a cap of 2 types and four types seen
    const { tracker, outcome } = harness({ maxEventTypes: 2 });
    for (const type of ['a.one', 'b.two', 'c.three', 'd.four']) outcome(type, 'success', 1);

    // When the stats are read
    const stats = await tracker.getStats();

    // Then the first two keep their name and the rest share "other"
    expect(stats.byType).toEqual({ 'a.one': 1, 'b.two': 1, other: 2 });
    expect((await tracker.getStats({ type: 'c.three' })).total).toBe(2);
    expect((await tracker.getStats({ type: 'never.seen.before' })).total).toBe(2);
  });

  it('returns zeros when nothing matches', async () => {
    const { tracker } = harness();
    expect(await tracker.getStats({ type: 'nothing.here' })).toEqual({
      total: 0,
      byType: {},
      failureRate: 0,
      averageLatency: 0,
      timeDistribution: { p50: 0, p90: 0, p99: 0 },
    });
    expect(await tracker.getLatency('nothing.here')).toBe(0);
  });

  it('track(event) records a successful handling with its latency', async () => {
    // Given an event stamped 40 ms ago
    const clock = fakeClock();
    const registry = new Registry();
    const tracker = new PrometheusEventTracker({ registry, now: clock.now });
    const event = makeEvent('manual.track', { timestamp: new Date(clock.now() - 40) });

    // When it is tracked by hand
    await tracker.track(event);

    // Then it counts as a success with a 40 ms latency, in the stats and the metrics
    expect(await tracker.getLatency('manual.track')).toBeCloseTo(0.04, 12);
    expect((await tracker.getStats()).total).toBe(1);
    expect(await registry.metrics()).toContain('events_handled_total{type="manual.track",status="success"} 1');
  });

  it('track(event) rejects a malformed event without recording it', async () => {
    const tracker = new PrometheusEventTracker({ registry: new Registry() });
    const malformed = { ...makeEvent('bad.event'), timestamp: '2025-01-01T00:00:00.000Z' } as unknown as BaseEvent;

    await expect(tracker.track(malformed)).rejects.toMatchObject({ code: 'VALIDATION', field: 'timestamp' });
    expect((await tracker.getStats()).total).toBe(0);
  });
});
