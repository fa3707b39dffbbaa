import type { BaseEvent, Subscription } from '@herald/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PrometheusEventTracker, prometheusMiddleware } from '../src/index.js';
import { makeEvent } from './helpers.js';

const subscription: Subscription = { id: 'sub-1', pattern: 'shop.#', concurrency: 1 };

/**
 * The whole /metrics text for a fixed set of recordings. It is what users (and their dashboards)
 * depend on: names, HELP and TYPE lines, label order, bucket bounds and values. The text was
 * taken from the release before the histograms moved to their current implementation; it must
 * not change with the implementation or with the prom-client version (see
 * scripts/prom-client-matrix.mjs, which runs this file against every version the peer range admits).
 */
const EXPECTED = `# HELP shop_events_published_total Events accepted by the transport on publish.
# TYPE shop_events_published_total counter
shop_events_published_total{type="shop.order.placed"} 2
shop_events_published_total{type="shop.payment.charged"} 1

# HELP shop_events_handled_total Settled handlings by outcome (success, failed, filtered, dead_lettered); one per subscription that received the event.
# TYPE shop_events_handled_total counter
shop_events_handled_total{type="shop.order.placed",status="success"} 2
shop_events_handled_total{type="shop.order.placed",status="filtered"} 1
shop_events_handled_total{type="shop.payment.charged",status="dead_lettered"} 1
shop_events_handled_total{type="shop.order.shipped",status="success"} 1

# HELP shop_event_retries_total Handler attempts that failed and were scheduled for a retry.
# TYPE shop_event_retries_total counter
shop_event_retries_total{type="shop.payment.charged"} 1

# HELP shop_events_dead_lettered_total Events dead-lettered after their last failed attempt.
# TYPE shop_events_dead_lettered_total counter
shop_events_dead_lettered_total{type="shop.payment.charged"} 1

# HELP shop_event_handler_duration_seconds Seconds spent in filter, middleware and handler per attempt.
# TYPE shop_event_handler_duration_seconds histogram
shop_event_handler_duration_seconds_bucket{le="0.001",type="shop.order.placed"} 1
shop_event_handler_duration_seconds_bucket{le="0.01",type="shop.order.placed"} 1
shop_event_handler_duration_seconds_bucket{le="0.1",type="shop.order.placed"} 2
shop_event_handler_duration_seconds_bucket{le="+Inf",type="shop.order.placed"} 2
shop_event_handler_duration_seconds_sum{type="shop.order.placed"} 0.0205
shop_event_handler_duration_seconds_count{type="shop.order.placed"} 2
shop_event_handler_duration_seconds_bucket{le="0.001",type="shop.payment.charged"} 0
shop_event_handler_duration_seconds_bucket{le="0.01",type="shop.payment.charged"} 1
shop_event_handler_duration_seconds_bucket{le="0.1",type="shop.payment.charged"} 1
shop_event_handler_duration_seconds_bucket{le="+Inf",type="shop.payment.charged"} 2
shop_event_handler_duration_seconds_sum{type="shop.payment.charged"} 0.20500000000000002
shop_event_handler_duration_seconds_count{type="shop.payment.charged"} 2

# HELP shop_event_latency_seconds Seconds from the event timestamp to its successful handling.
# TYPE shop_event_latency_seconds histogram
shop_event_latency_seconds_bucket{le="0.01",type="shop.order.placed"} 0
shop_event_latency_seconds_bucket{le="1",type="shop.order.placed"} 2
shop_event_latency_seconds_bucket{le="+Inf",type="shop.order.placed"} 2
shop_event_latency_seconds_sum{type="shop.order.placed"} 2
shop_event_latency_seconds_count{type="shop.order.placed"} 2
shop_event_latency_seconds_bucket{le="0.01",type="shop.order.shipped"} 0
shop_event_latency_seconds_bucket{le="1",type="shop.order.shipped"} 1
shop_event_latency_seconds_bucket{le="+Inf",type="shop.order.shipped"} 1
shop_event_latency_seconds_sum{type="shop.order.shipped"} 1
shop_event_latency_seconds_count{type="shop.order.shipped"} 1
`;

async function recordFixedScenario(registry: Registry): Promise<void> {
  const tracker = new PrometheusEventTracker({
    registry,
    prefix: 'shop',
    buckets: [0.001, 0.01, 0.1],
    latencyBuckets: [0.01, 1],
    now: () => Date.UTC(2025, 0, 1, 0, 0, 1),
  });
  const middleware = prometheusMiddleware(tracker);
  const at = new Date(Date.UTC(2025, 0, 1));
  const placed: BaseEvent = makeEvent('shop.order.placed', { timestamp: at });
  const charged: BaseEvent = makeEvent('shop.payment.charged', { timestamp: at });
  const outcome = { attempt: 1, maxAttempts: 3, subscription };
  for (const event of [placed, placed, charged]) await middleware.publish!(event, async () => {});
  middleware.onOutcome!(placed, { ...outcome, status: 'success', durationMs: 0.5 });
  middleware.onOutcome!(placed, { ...outcome, status: 'success', durationMs: 20 });
  middleware.onOutcome!(placed, { ...outcome, status: 'filtered', durationMs: 0 });
  middleware.onOutcome!(charged, { ...outcome, status: 'retrying', durationMs: 5, error: new Error('x') });
  middleware.onOutcome!(charged, { ...outcome, attempt: 3, status: 'dead_lettered', durationMs: 200, error: new Error('x') });
  await tracker.track(makeEvent('shop.order.shipped', { timestamp: at }));
}

describe('the /metrics text', () => {
  it('is exactly the documented names, labels, buckets, HELP and TYPE lines', async () => {
    // Given a registry with a fixed set of publishes and outcomes recorded
    const registry = new Registry();
    await recordFixedScenario(registry);

    // When it is rendered as Prometheus text
    const text = await registry.metrics();

    // Then it is the text users have been reading
    expect(text).toBe(EXPECTED);
  });

  it('renders the same text after a second scrape (flushing twice adds nothing)', async () => {
    // Given the same recordings, scraped once already
    const registry = new Registry();
    await recordFixedScenario(registry);
    await registry.metrics();

    // When scraped again
    const text = await registry.metrics();

    // Then nothing was counted twice
    expect(text).toBe(EXPECTED);
  });
});
