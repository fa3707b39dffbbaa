import { InMemoryEventBus } from '@herald/core';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusEventTracker, prometheusMiddleware } from '../src/index.js';
import { fakeClock, fastRetry, makeEvent, metricValue, waitUntil } from './helpers.js';

describe('PrometheusEventTracker middleware on the in-memory bus', () => {
  let bus: InMemoryEventBus | undefined;
  afterEach(async () => {
    await bus?.close();
    bus = undefined;
  });

  it('counts publishes and successful handlings per type on the registry it was given', async () => {
    // Given a tracker on a user registry, as middleware of a bus with one subscriber
    const registry = new Registry();
    const tracker = new PrometheusEventTracker({ registry });
    bus = new InMemoryEventBus({ middleware: [prometheusMiddleware(tracker)] });
    let handled = 0;
    await bus.subscribe('orders.#', () => {
      handled++;
    });

    // When three events of two types are published and handled
    await bus.publish(makeEvent('orders.placed'));
    await bus.publish(makeEvent('orders.placed'));
    await bus.publish(makeEvent('orders.shipped'));
    await waitUntil(() => handled === 3, 'three handlings');

    // Then the counters carry the type label and the success status
    expect(await metricValue(registry, 'events_published_total', { type: 'orders.placed' })).toBe(2);
    expect(await metricValue(registry, 'events_published_total', { type: 'orders.shipped' })).toBe(1);
    expect(await metricValue(registry, 'events_handled_total', { type: 'orders.placed', status: 'success' })).toBe(2);
    expect(await metricValue(registry, 'events_handled_total', { type: 'orders.shipped', status: 'success' })).toBe(1);
    expect(
      await metricValue(registry, 'event_handler_duration_seconds', { type: 'orders.placed' }, 'event_handler_duration_seconds_count'),
    ).toBe(2);
    expect(await metricValue(registry, 'event_latency_seconds', { type: 'orders.placed' }, 'event_latency_seconds_count')).toBe(2);
  });

  it('records handler duration and latency in seconds, not milliseconds', async () => {
    // Given a handler that takes about 30 ms, and a clock that puts handling 250 ms after the event timestamp
    const registry = new Registry();
    const clock = fakeClock();
    const tracker = new PrometheusEventTracker({ registry, now: clock.now });
    bus = new InMemoryEventBus({ middleware: [prometheusMiddleware(tracker)] });
    let done = false;
    await bus.subscribe('slow.thing', async () => {
      await new Promise((r) => setTimeout(r, 30));
      done = true;
    });
    const event = makeEvent('slow.thing', { timestamp: new Date(clock.now()) });
    clock.advance(250);

    // When it is handled
    await bus.publish(event);
    await waitUntil(() => done, 'the slow handler');
    await waitUntil(
      async () => (await metricValue(registry, 'event_latency_seconds', {}, 'event_latency_seconds_count')) === 1,
      'the outcome to be recorded',
    );

    // Then the duration sum is about 0.03 (seconds) and the latency exactly 0.25 s
    const durationSum = await metricValue(registry, 'event_handler_duration_seconds', { type: 'slow.thing' }, 'event_handler_duration_seconds_sum');
    expect(durationSum).toBeGreaterThan(0.02);
    expect(durationSum).toBeLessThan(1);
    expect(await metricValue(registry, 'event_latency_seconds', { type: 'slow.thing' }, 'event_latency_seconds_sum')).toBe(0.25);
    expect(await metricValue(registry, 'event_latency_seconds', { type: 'slow.thing', le: 0.1 }, 'event_latency_seconds_bucket')).toBe(0);
    expect(await metricValue(registry, 'event_latency_seconds', { type: 'slow.thing', le: 0.25 }, 'event_latency_seconds_bucket')).toBe(1);
    expect(await metricValue(registry, 'event_latency_seconds', { type: 'slow.thing', le: '+Inf' }, 'event_latency_seconds_bucket')).toBe(1);
  });

  it('counts retries, dead letters and a failed handling per attempt outcome', async () => {
    // Given handlers that always throw: one dead-letters after 3 attempts, one drops after 2 (dead letters off)
    const registry = new Registry();
    const tracker = new PrometheusEventTracker({ registry });
    bus = new InMemoryEventBus({ middleware: [prometheusMiddleware(tracker)] });
    let attempts = 0;
    await bus.subscribe('pay.charge', {
      handle: () => {
        attempts++;
        throw new Error('card declined');
      },
      retryStrategy: fastRetry(3),
    });
    await bus.subscribe('pay.refund', {
      handle: () => {
        attempts++;
        throw new Error('gateway down');
      },
      retryStrategy: fastRetry(2, false),
    });

    // When one event of each is published and every attempt has run
    await bus.publish(makeEvent('pay.charge'));
    await bus.publish(makeEvent('pay.refund'));
    await waitUntil(
      async () => (await metricValue(registry, 'events_handled_total', { type: 'pay.refund', status: 'failed' })) === 1,
      'the refund to fail for good',
    );
    await waitUntil(async () => (await bus!.deadLetters.list()).length === 1, 'the charge to be dead-lettered');

    // Then retries are counted per retried attempt, and each final outcome once
    expect(attempts).toBe(5);
    expect(await metricValue(registry, 'event_retries_total', { type: 'pay.charge' })).toBe(2);
    expect(await metricValue(registry, 'event_retries_total', { type: 'pay.refund' })).toBe(1);
    expect(await metricValue(registry, 'events_dead_lettered_total', { type: 'pay.charge' })).toBe(1);
    expect(await metricValue(registry, 'events_handled_total', { type: 'pay.charge', status: 'dead_lettered' })).toBe(1);
    expect(await metricValue(registry, 'events_handled_total', { type: 'pay.charge', status: 'success' })).toBeUndefined();
    expect(await metricValue(registry, 'events_dead_lettered_total', { type: 'pay.refund' })).toBeUndefined();
    // every attempt's duration is observed; latency only for successes
    expect(
      await metricValue(registry, 'event_handler_duration_seconds', { type: 'pay.charge' }, 'event_handler_duration_seconds_count'),
    ).toBe(3);
    expect(await metricValue(registry, 'event_latency_seconds', { type: 'pay.charge' }, 'event_latency_seconds_count')).toBeUndefined();
  });

  it('counts filtered events without a handler duration', async () => {
    // Given a handler whose filter rejects everything
    const registry = new Registry();
    const tracker = new PrometheusEventTracker({ registry });
    bus = new InMemoryEventBus({ middleware: [prometheusMiddleware(tracker)] });
    await bus.subscribe('noise.#', { handle: () => {}, filter: () => false });

    // When an event is published
    await bus.publish(makeEvent('noise.ping'));
    await waitUntil(
      async () => (await metricValue(registry, 'events_handled_total', { type: 'noise.ping', status: 'filtered' })) === 1,
      'the filtered outcome',
    );

    // Then it counts as filtered and nothing else
    expect(await metricValue(registry, 'event_handler_duration_seconds', {}, 'event_handler_duration_seconds_count')).toBeUndefined();
    expect((await tracker.getStats()).total).toBe(0);
  });

  it('counts every accepted publish, awaited one by one or all at once', async () => {
    // Given a tracker on a bus without subscribers
    const registry = new Registry();
    const tracker = new PrometheusEventTracker({ registry });
    bus = new InMemoryEventBus({ middleware: [prometheusMiddleware(tracker)] });

    // When 500 events are published one after the other and 500 concurrently
    for (let i = 0; i < 500; i++) await bus.publish(makeEvent('many.events'));
    await Promise.all(Array.from({ length: 500 }, () => bus!.publish(makeEvent('many.events'))));

    // Then all 1000 are counted
    expect(await metricValue(registry, 'events_published_total', { type: 'many.events' })).toBe(1000);
  });

  it('does not count a publish the transport rejected', async () => {
    // Given a bus whose transport step rejects the publish
    const registry = new Registry();
    const tracker = new PrometheusEventTracker({ registry });
    const closed = new InMemoryEventBus({ middleware: [prometheusMiddleware(tracker), { publish: () => Promise.reject(new Error('down')) }] });

    // When a publish fails inside the chain
    await expect(closed.publish(makeEvent('lost.event'))).rejects.toThrow('down');
    await closed.close();

    // Then nothing is counted as published
    expect(await metricValue(registry, 'events_published_total', { type: 'lost.event' })).toBeUndefined();
  });

  it('applies the prefix to every metric name and never labels with ids', async () => {
    // Given a prefixed tracker
    const registry = new Registry();
    const tracker = new PrometheusEventTracker({ registry, prefix: 'gamifier' });
    bus = new InMemoryEventBus({ middleware: [prometheusMiddleware(tracker)] });
    let handled = false;
    await bus.subscribe('#', () => {
      handled = true;
    });
    const event = makeEvent('points.awarded');

    // When an event goes through
    await bus.publish(event);
    await waitUntil(() => handled, 'the handling');
    const text = await registry.metrics();

    // Then every name carries the prefix, and neither the event id nor the correlation id appears
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(names).toEqual([
      'gamifier_event_handler_duration_seconds',
      'gamifier_event_latency_seconds',
      'gamifier_event_retries_total',
      'gamifier_events_dead_lettered_total',
      'gamifier_events_handled_total',
      'gamifier_events_published_total',
    ]);
    expect(text).toContain('gamifier_events_published_total{type="points.awarded"} 1');
    expect(text).toMatch(/gamifier_event_latency_seconds_bucket\{le="\+Inf",type="points.awarded"\} 1/);
    expect(text).not.toContain(event.id);
    expect(text).not.toContain(event.metadata.correlationId);
  });

  it('serves several buses from one tracker and survives registry.resetMetrics()', async () => {
    // Given one tracker on two buses
    const registry = new Registry();
    const tracker = new PrometheusEventTracker({ registry });
    const a = new InMemoryEventBus({ middleware: [prometheusMiddleware(tracker)] });
    const b = new InMemoryEventBus({ middleware: [prometheusMiddleware(tracker)] });

    // When each publishes, then the registry is reset, then one more publish
    await a.publish(makeEvent('x.y'));
    await b.publish(makeEvent('x.y'));
    expect(await metricValue(registry, 'events_published_total', { type: 'x.y' })).toBe(2);
    registry.resetMetrics();
    await a.publish(makeEvent('x.y'));
    await Promise.all([a.close(), b.close()]);

    // Then the count restarts from the reset
    expect(await metricValue(registry, 'events_published_total', { type: 'x.y' })).toBe(1);
  });

  it('keeps tracker.middleware() as a deprecated alias of prometheusMiddleware(tracker)', () => {
    // Given a tracker
    const tracker = new PrometheusEventTracker({ registry: new Registry() });

    // When the middleware is asked for both ways
    const fromMethod = tracker.middleware();

    // Then both are the one middleware recording into this tracker
    expect(fromMethod).toBe(prometheusMiddleware(tracker));
    expect(fromMethod.name).toBe('prometheus');
    expect(() => prometheusMiddleware({} as PrometheusEventTracker)).toThrow(TypeError);
  });

  it('refuses a second tracker with the same names on one registry', () => {
    const registry = new Registry();
    new PrometheusEventTracker({ registry });
    expect(() => new PrometheusEventTracker({ registry })).toThrow(/already been registered/);
    expect(() => new PrometheusEventTracker({ registry, prefix: 'second' })).not.toThrow();
  });
});
