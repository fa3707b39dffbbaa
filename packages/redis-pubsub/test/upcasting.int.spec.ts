import { createDomainEvent, createUpcasters, type BaseEvent, type DomainEvent } from '@herald/core';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../tooling/test-support/wait.js';
import { adminClient, BusFactory } from './support/redis.js';

/** A v1 `shop.order.placed` ({ cents }) as last year's code published it. */
function v1Order(cents: number): DomainEvent {
  return createDomainEvent({
    type: 'shop.order.placed',
    aggregateId: 'order-1',
    aggregateType: 'Order',
    data: { cents },
    metadata: { source: 'redis-pubsub-test', environment: 'test', schemaVersion: 1 },
  });
}

describe('RedisPubSubEventBus upcasters option', () => {
  let admin: Redis;
  const buses = new BusFactory();
  beforeAll(() => {
    admin = adminClient();
  });
  afterEach(async () => {
    await buses.cleanup(admin);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('hands the handler the current shape of an old event from the wire', async () => {
    // Given a subscriber whose bus upcasts v1 → v2 ({ amount: { cents, currency } })
    const upcasters = createUpcasters().register('shop.order.placed', 1, (e) => ({ ...e, data: { amount: { cents: e.data?.cents, currency: 'EUR' } } }));
    const subscriber = buses.create('upcast-ok', { upcasters });
    const publisher = buses.create('upcast-ok-pub', { prefix: subscriber.prefix });
    const seen: BaseEvent[] = [];
    await subscriber.subscribe('shop.order.*', (e) => void seen.push(e));
    // When an old bus (no upcasters) publishes a v1 event
    await publisher.publish(v1Order(250));
    // Then the handler sees v2
    await until(() => seen.length === 1, 'the upcast event');
    expect((seen[0] as DomainEvent).data).toEqual({ amount: { cents: 250, currency: 'EUR' } });
    expect(seen[0]!.metadata.schemaVersion).toBe(2);
  });

  it('dead-letters an event whose upcaster fails; no handler sees it', async () => {
    // Given a subscriber with an upcaster that throws
    const upcasters = createUpcasters().register('shop.order.placed', 1, () => {
      throw new Error('no cents');
    });
    const subscriber = buses.create('upcast-fail', { upcasters });
    const publisher = buses.create('upcast-fail-pub', { prefix: subscriber.prefix });
    const seen: BaseEvent[] = [];
    await subscriber.subscribe('shop.order.*', (e) => void seen.push(e));
    // When a v1 event arrives
    const old = v1Order(1);
    await publisher.publish(old);
    await until(async () => (await subscriber.deadLetters.list()).length === 1, 'the dead letter');
    // Then the dead letter names the failure and keeps the v1 event; the handler saw nothing
    const [record] = await subscriber.deadLetters.list();
    expect(record!.error).toMatchObject({ name: 'UpcastError' });
    expect(record!.error.message).toMatch(/shop\.order\.placed.*1 to 2/);
    expect((record!.event as DomainEvent).data).toEqual({ cents: 1 });
    expect(seen).toEqual([]);
  });
});
