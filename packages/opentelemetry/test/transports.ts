import { randomUUID } from 'node:crypto';
import type { EventBus, EventBusMiddleware } from '@herald/core';
import { RabbitMQEventBus } from '@herald/rabbitmq';
import { deadLetterKeys, RedisPubSubEventBus } from '@herald/redis-pubsub';
import amqp from 'amqplib';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const AMQP_URL = process.env.HERALD_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export type TransportName = 'redis-pubsub' | 'rabbitmq';
export const TRANSPORTS: TransportName[] = ['redis-pubsub', 'rabbitmq'];

/**
 * Buses on a real transport, two per test (a publishing "process" and a consuming one)
 * sharing a prefix nobody else uses; `cleanup()` closes them and deletes what they
 * created (Redis keys by SCAN, RabbitMQ queues and exchanges they declared).
 */
export class TransportKit {
  private readonly redisBuses: RedisPubSubEventBus[] = [];
  private readonly rabbitBuses: RabbitMQEventBus[] = [];
  private readonly redisPrefixes = new Set<string>();

  constructor(readonly transport: TransportName) {}

  /** Two buses on one prefix: events published on the first reach subscribers of the second. */
  pair(publisher: EventBusMiddleware[], consumer: EventBusMiddleware[]): [EventBus, EventBus] {
    const id = randomUUID().slice(0, 8);
    return [this.bus(id, 'pub', publisher), this.bus(id, 'sub', consumer)];
  }

  private bus(id: string, role: string, middleware: EventBusMiddleware[]): EventBus {
    if (this.transport === 'redis-pubsub') {
      const prefix = `herald-otel-test:${id}:`;
      this.redisPrefixes.add(prefix);
      const bus = new RedisPubSubEventBus({ redis: REDIS_URL, prefix, connectionName: `herald-otel-test-${id}-${role}`, middleware });
      this.redisBuses.push(bus);
      return bus;
    }
    const bus = new RabbitMQEventBus({ url: AMQP_URL, prefix: `t.otel.${id}.`, connectionName: `herald-otel-test:${id}:${role}`, middleware });
    this.rabbitBuses.push(bus);
    return bus;
  }

  async cleanup(): Promise<void> {
    const rabbit = this.rabbitBuses.splice(0);
    const redis = this.redisBuses.splice(0);
    await Promise.allSettled([...rabbit, ...redis].map((b) => b.close()));
    if (this.redisPrefixes.size > 0) await deleteRedisKeys([...this.redisPrefixes]);
    this.redisPrefixes.clear();
    if (rabbit.length > 0) await deleteRabbitTopology(rabbit);
  }
}

async function deleteRedisKeys(prefixes: string[]): Promise<void> {
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  try {
    for (const prefix of prefixes) {
      const { order, records } = deadLetterKeys(prefix);
      await admin.del(order, records);
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
        if (keys.length > 0) await admin.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    admin.disconnect();
  }
}

async function deleteRabbitTopology(buses: RabbitMQEventBus[]): Promise<void> {
  const queues = new Set<string>();
  const exchanges = new Set<string>();
  for (const bus of buses) {
    const declared = bus.declaredTopology();
    for (const q of declared.queues) queues.add(q);
    for (const e of declared.exchanges) exchanges.add(e);
  }
  const connection = await amqp.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    for (const q of queues) await channel.deleteQueue(q);
    for (const e of exchanges) await channel.deleteExchange(e);
    await channel.close();
  } finally {
    await connection.close();
  }
}
