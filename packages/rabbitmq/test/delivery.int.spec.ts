import { isHeraldError, type BaseEvent, type ConnectionStateChange } from '@herald/core';
import { afterEach, describe, expect, it } from 'vitest';
import { BusFactory, event, queueDepth, until, withRawChannel } from './helpers.js';

const buses = new BusFactory();
afterEach(() => buses.cleanup());

describe('RabbitMQEventBus: publishing and delivery', () => {
  it('publishes persistent, identified, correlated messages on a durable topic exchange', async () => {
    // Given a bus and a raw queue bound to its exchange
    const bus = buses.create('props');
    await bus.connect();
    const queue = `${bus.prefix}raw-probe`;
    buses.alsoDelete({ queues: [queue] });
    await withRawChannel(async (ch) => {
      await ch.assertQueue(queue, { durable: false });
      await ch.bindQueue(queue, bus.exchange, 'props.#');
    });

    // When an event is published
    const e = event('props.created', { n: 1 });
    await bus.publish(e);

    // Then the message carries the event's identity, type, correlation and persistence
    const msg = await until(() => withRawChannel((ch) => ch.get(queue, { noAck: true })), 'the message to be routed');
    expect(msg.properties.messageId).toBe(e.id);
    expect(msg.properties.type).toBe('props.created');
    expect(msg.properties.contentType).toBe('application/json');
    expect(msg.properties.deliveryMode).toBe(2);
    expect(msg.properties.correlationId).toBe(e.metadata.correlationId);
    expect(msg.properties.timestamp).toBe(Math.floor(e.timestamp.getTime() / 1000));
    expect(msg.properties.headers?.['x-correlation-id']).toBe(e.metadata.correlationId);
    expect(msg.fields.routingKey).toBe('props.created');
    const exchange = await withRawChannel((ch) => ch.checkExchange(bus.exchange));
    expect(exchange).toBeDefined();
  });

  it('delivers to a subscriber, equal to what was published, and reports connection states', async () => {
    // Given a subscriber and a listener for connection changes
    const bus = buses.create('basic');
    const states: ConnectionStateChange[] = [];
    bus.on('connection', (c) => states.push(c));
    const got: BaseEvent[] = [];
    await bus.subscribe('basic.*', (ev) => {
      got.push(ev);
    });

    // When events are published
    const sent = [event('basic.a', { at: new Date(0) }), event('basic.b')];
    for (const e of sent) await bus.publish(e);

    // Then each arrives once, deep-equal to what JSON carries (the Date in data as its ISO string)
    await until(() => got.length === 2, 'both events');
    expect(got).toEqual([{ ...sent[0]!, data: { at: '1970-01-01T00:00:00.000Z' } }, sent[1]]);
    expect(states.map((s) => s.state)).toContain('connected');
    await bus.close();
    expect(states.at(-1)?.state).toBe('closed');
  });

  it('publishAll confirms a batch together', async () => {
    const bus = buses.create('batch');
    const got = new Set<string>();
    await bus.subscribe('batch.#', (ev) => {
      got.add(ev.id);
    });
    const batch = Array.from({ length: 2_000 }, (_, i) => event('batch.item', { i }));
    await bus.publishAll(batch);
    await until(() => got.size === 2_000, 'all 2,000 batched events');
  });

  it('rejects an unroutable publish with PublishError when mandatory is on', async () => {
    const bus = buses.create('mandatory', { mandatory: true });
    const error = await bus.publish(event('nobody.listens')).catch((e: unknown) => e);
    expect(isHeraldError(error, 'PUBLISH'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/unroutable/);
    // And a routable one still resolves
    await bus.subscribe('somebody.listens', () => {});
    await bus.publish(event('somebody.listens'));
  });

  it('keeps group queues durable between subscribers: events published while no member runs are delivered later', async () => {
    // Given a group that subscribed once and left
    const bus = buses.create('durable');
    const first = await bus.subscribe('durable.#', () => {}, { group: 'keepers' });
    await bus.unsubscribe(first);

    // When events are published while no member is subscribed
    for (let i = 0; i < 5; i++) await bus.publish(event('durable.item', { i }));
    await until(async () => (await queueDepth(`${bus.prefix}keepers`)) === 5, 'five messages waiting in the group queue');

    // Then a new member receives them all
    const got: number[] = [];
    await bus.subscribe('durable.#', (ev) => {
      got.push((ev as unknown as { data: { i: number } }).data.i);
    }, { group: 'keepers' });
    await until(() => got.length === 5, 'the five waiting events');
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });

  it('supports quorum group queues', async () => {
    const bus = buses.create('quorum', { queueType: 'quorum' });
    const got: string[] = [];
    await bus.subscribe('quorum.#', (ev) => {
      got.push(ev.id);
    }, { group: 'q' });
    const e = event('quorum.x');
    await bus.publish(e);
    await until(() => got.includes(e.id), 'the event through a quorum queue');
    const type = await withRawChannel(async (ch) => (await ch.checkQueue(`${bus.prefix}q`)).queue);
    expect(type).toBe(`${bus.prefix}q`);
  });

  it('rejects subscribe with the broker\'s reason when a group queue exists with another queue type', async () => {
    const quorum = buses.create('mismatch', { queueType: 'quorum' });
    await quorum.subscribe('mismatch.#', () => {}, { group: 'g' });
    const classic = buses.create('mismatch', { prefix: quorum.prefix });
    const error = await classic.subscribe('mismatch.#', () => {}, { group: 'g' }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/PRECONDITION.FAILED/);
    // And the bus still works for other subscriptions
    const got: string[] = [];
    await classic.subscribe('mismatch.#', (ev) => {
      got.push(ev.id);
    });
    const e = event('mismatch.x');
    await classic.publish(e);
    await until(() => got.includes(e.id), 'delivery to the other subscription');
  });

  it('rejects a group member with a different pattern, like the in-memory bus', async () => {
    const bus = buses.create('grouppattern');
    await bus.subscribe('a.#', () => {}, { group: 'g' });
    await expect(bus.subscribe('b.#', () => {}, { group: 'g' })).rejects.toThrow(/same pattern/);
  });

  it('rejects with PublishError when the broker nacks (a full queue that rejects publishes)', async () => {
    // Given a bound queue that holds one message and refuses more
    const bus = buses.create('nack');
    await bus.connect();
    const queue = `${bus.prefix}full`;
    buses.alsoDelete({ queues: [queue] });
    await withRawChannel(async (ch) => {
      await ch.assertQueue(queue, { durable: false, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
      await ch.bindQueue(queue, bus.exchange, 'nack.#');
    });

    // When two events are published
    await bus.publish(event('nack.one'));
    const error = await bus.publish(event('nack.two')).catch((e: unknown) => e);

    // Then the second is refused by the broker
    expect(isHeraldError(error, 'PUBLISH'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/nack/);
  });
});
