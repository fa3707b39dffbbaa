import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusEventTracker, prometheusMiddleware } from '../src/index.js';
import { makeEvent, metricValue, waitUntil } from './helpers.js';
import { TRANSPORTS, TransportKit } from './transports.js';

describe.each(TRANSPORTS)('PrometheusEventTracker middleware across %s', (transport) => {
  const kit = new TransportKit(transport);
  afterEach(() => kit.cleanup(), 60_000);

  it('counts publishes on the publishing side and every outcome on the consuming side', async () => {
    // Given a publishing process and a consuming process, each with its own tracker and registry
    const publishing = new Registry();
    const consuming = new Registry();
    const consumerTracker = new PrometheusEventTracker({ registry: consuming });
    const [publisher, consumer] = kit.pair(
      [prometheusMiddleware(new PrometheusEventTracker({ registry: publishing }))],
      [prometheusMiddleware(consumerTracker)],
    );
    const retry = (maxAttempts: number) => ({ maxAttempts, backoff: { type: 'fixed' as const, delay: 50 }, deadLetter: { enabled: true } });
    let charges = 0;
    await consumer.subscribe('shop.order.placed', () => {});
    await consumer.subscribe('shop.payment.charged', {
      handle: () => {
        if (++charges === 1) throw new Error('gateway timeout');
      },
      retryStrategy: retry(3),
    });
    await consumer.subscribe('shop.refund.issued', {
      handle: () => {
        throw new Error('refunds are broken');
      },
      retryStrategy: retry(2),
    });
    await consumer.subscribe('shop.noise', { handle: () => {}, filter: () => false });

    // When one event of each type crosses the transport
    for (const type of ['shop.order.placed', 'shop.payment.charged', 'shop.refund.issued', 'shop.noise']) {
      await publisher.publish(makeEvent(type));
    }
    await waitUntil(
      async () =>
        (await metricValue(consuming, 'events_dead_lettered_total', { type: 'shop.refund.issued' })) === 1 &&
        (await metricValue(consuming, 'events_handled_total', { type: 'shop.payment.charged', status: 'success' })) === 1 &&
        (await metricValue(consuming, 'events_handled_total', { type: 'shop.noise', status: 'filtered' })) === 1 &&
        (await metricValue(consuming, 'events_handled_total', { type: 'shop.order.placed', status: 'success' })) === 1,
      `every outcome over ${transport}`,
      15_000,
    );

    // Then the publisher counted four publishes
    for (const type of ['shop.order.placed', 'shop.payment.charged', 'shop.refund.issued', 'shop.noise']) {
      expect(await metricValue(publishing, 'events_published_total', { type }), type).toBe(1);
    }
    // and the consumer saw the retries, the dead letter and the latencies, in seconds
    expect(await metricValue(consuming, 'event_retries_total', { type: 'shop.payment.charged' })).toBe(1);
    expect(await metricValue(consuming, 'event_retries_total', { type: 'shop.refund.issued' })).toBe(1);
    expect(await metricValue(consuming, 'events_handled_total', { type: 'shop.refund.issued', status: 'dead_lettered' })).toBe(1);
    const latency = await metricValue(consuming, 'event_latency_seconds', { type: 'shop.payment.charged' }, 'event_latency_seconds_sum');
    expect(latency).toBeGreaterThanOrEqual(0.04); // includes the 50 ms retry wait
    expect(latency).toBeLessThan(10);
    const stats = await consumerTracker.getStats();
    expect(stats.total).toBe(3);
    expect(stats.failureRate).toBeCloseTo(1 / 3, 12);
  });
});
