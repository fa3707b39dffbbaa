import { InMemoryEventBus, isHeraldError } from '@herald/core';
import { Registry, register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PrometheusEventTracker, prometheusMiddleware, type PrometheusEventTrackerOptions } from '../src/index.js';
import { makeEvent, metricValue, waitUntil } from './helpers.js';

describe('PrometheusEventTracker options', () => {
  it.each<[string, PrometheusEventTrackerOptions, string]>([
    ['a prefix that is not a metric name', { prefix: '9lives' }, 'prefix'],
    ['buckets in the wrong order', { buckets: [0.1, 0.05] }, 'buckets[1]'],
    ['a zero bucket', { buckets: [0, 1] }, 'buckets[0]'],
    ['empty latency buckets', { latencyBuckets: [] }, 'latencyBuckets'],
    ['a fractional type cap', { maxEventTypes: 1.5 }, 'maxEventTypes'],
    ['an empty reservoir', { reservoirSize: 0 }, 'reservoirSize'],
    ['a negative window', { statsWindowSeconds: -1 }, 'statsWindowSeconds'],
  ])('rejects %s with a ValidationError naming the field', (_, options, field) => {
    const attempt = () => new PrometheusEventTracker({ registry: new Registry(), ...options });
    expect(attempt).toThrow(expect.objectContaining({ field }));
    try {
      attempt();
    } catch (error) {
      expect(isHeraldError(error, 'VALIDATION')).toBe(true);
    }
  });

  it('uses custom buckets, in seconds, for the handler duration', async () => {
    // Given buckets of 1 ms and 1 minute
    const registry = new Registry();
    const tracker = new PrometheusEventTracker({ registry, buckets: [0.001, 60] });
    const bus = new InMemoryEventBus({ middleware: [prometheusMiddleware(tracker)] });
    let handled = false;
    await bus.subscribe('#', () => {
      handled = true;
    });

    // When one fast event is handled
    await bus.publish(makeEvent('quick.one'));
    await waitUntil(() => handled, 'the handling');
    await bus.close();

    // Then those are the exposed bounds
    const text = await registry.metrics();
    expect(text).toMatch(/event_handler_duration_seconds_bucket\{le="0.001",type="quick.one"\} \d/);
    expect(text).toContain('event_handler_duration_seconds_bucket{le="60",type="quick.one"} 1');
    expect(text).not.toContain('event_handler_duration_seconds_bucket{le="0.005"');
  });

  it("registers on prom-client's global registry when none is given", async () => {
    // Given a tracker without a registry
    const tracker = new PrometheusEventTracker({ prefix: 'global_default_test' });
    try {
      // When an event is tracked
      await tracker.track(makeEvent('global.check'));
      // Then the global registry shows it
      expect(tracker.registry).toBe(register);
      expect(await metricValue(register, 'global_default_test_events_handled_total', { type: 'global.check' })).toBe(1);
    } finally {
      for (const name of (await register.getMetricsAsJSON()).map((m) => m.name)) {
        if (name.startsWith('global_default_test_')) register.removeSingleMetric(name);
      }
    }
  });
});

describe('type label cap', () => {
  it('gives the first N types their own label and folds the rest into "other"', async () => {
    // Given a cap of 3
    const registry = new Registry();
    const tracker = new PrometheusEventTracker({ registry, maxEventTypes: 3 });

    // When 1000 distinct types arrive (e.g. ids leaking into types), and one literally named "other"
    for (let i = 0; i < 1000; i++) await tracker.track(makeEvent(`user.${i}.created`));
    await tracker.track(makeEvent('other'));

    // Then there are 4 label values: 3 kept, 998 folded together with "other"
    const text = await registry.metrics();
    const lines = text.split('\n').filter((l) => l.startsWith('events_handled_total{'));
    expect(lines).toEqual([
      'events_handled_total{type="user.0.created",status="success"} 1',
      'events_handled_total{type="user.1.created",status="success"} 1',
      'events_handled_total{type="user.2.created",status="success"} 1',
      'events_handled_total{type="other",status="success"} 998',
    ]);
    expect(text.match(/event_latency_seconds_count\{/g)).toHaveLength(4);
  });
});
