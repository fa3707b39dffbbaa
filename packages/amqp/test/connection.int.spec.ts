import { createDomainEvent, isHeraldError, type ConnectionState } from '@herald/core';
import { afterAll, describe, expect, it } from 'vitest';
import { AmqpEventBus } from '../src/index.js';
import { BusFactory, until } from './helpers.js';

// Connection loss through the bus's own TCP proxy: publishes while the broker is away
// reject with PublishError within publishTimeoutMs, the states are reported, and the
// subscription is attached again once the broker is reachable.
const buses = new BusFactory();
afterAll(() => buses.cleanup(), 60_000);

const event = (type: string) =>
  createDomainEvent({ type, aggregateId: 'p-1', aggregateType: 'Player', data: {}, metadata: { source: 'test', environment: 'test' } });

describe('AmqpEventBus connection (RabbitMQ AMQP 1.0)', () => {
  it('rejects publishes during an outage with PublishError, then recovers and delivers again', async () => {
    // Given a connected bus with a subscription, behind a proxy
    const bus = await buses.create('conn', { publishTimeoutMs: 500, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    const proxy = buses.proxyOf(bus);
    const states: ConnectionState[] = [];
    bus.on('connection', (c) => states.push(c.state));
    const seen: string[] = [];
    await bus.subscribe('conn.*', (e) => {
      seen.push(e.id);
    });

    // When the broker becomes unreachable
    await proxy.stop();
    const error = await bus.publish(event('conn.lost')).then(() => undefined, (e: unknown) => e);

    // Then the publish is rejected with PublishError, and the bus says it is reconnecting
    expect(isHeraldError(error, 'PUBLISH'), String(error)).toBe(true);
    expect(states).toContain('reconnecting');

    // When the broker is back, publishing and delivery work again
    await proxy.start();
    const after = event('conn.back');
    await until(async () => {
      await bus.publish(after).catch(() => undefined);
      return seen.includes(after.id);
    }, 'an event published after the outage to be delivered', 15_000);
    expect(states.at(-1)).toBe('connected');
    await bus.close();
    expect(states.at(-1)).toBe('closed');
  });

  it('connect() rejects fast with a ConnectionError that names no password', async () => {
    const bus = new AmqpEventBus({ url: 'amqp://guest:s3cret-pw@127.0.0.1:1', connectTimeoutMs: 2_000 });
    const error = await bus.connect().then(() => undefined, (e: unknown) => e);
    expect(isHeraldError(error, 'CONNECTION')).toBe(true);
    expect(String((error as Error).message)).not.toContain('s3cret-pw');
    await bus.close();
  });
});
