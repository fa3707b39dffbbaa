import { randomUUID } from 'node:crypto';
import { type Amqp, type DeclaresTopology, deleteTopology } from './rabbitmq.js';
import { deleteKeys, type KeyClient } from './redis-keys.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const AMQP_URL = process.env.HERALD_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export type TransportName = 'redis-pubsub' | 'rabbitmq';
export const TRANSPORTS: TransportName[] = ['redis-pubsub', 'rabbitmq'];

interface Closable {
  close(): Promise<void>;
}

/**
 * The packages and clients the kit builds on, as the test imports them:
 * `{ redisPubSub: await import('@herald/redis-pubsub'), rabbitmq: …, Redis, amqp }`.
 */
export interface TransportModules<Bus extends Closable, Middleware> {
  redisPubSub: {
    RedisPubSubEventBus: new (options: { redis: string; prefix: string; connectionName: string; middleware: Middleware[] }) => Bus;
  };
  rabbitmq: {
    RabbitMQEventBus: new (options: { url: string; prefix: string; connectionName: string; middleware: Middleware[] }) => Bus & DeclaresTopology;
  };
  Redis: new (url: string, options: { maxRetriesPerRequest: number }) => KeyClient & { disconnect(): void };
  amqp: Amqp;
}

/**
 * Buses on a real transport, two per test (a publishing "process" and a consuming one)
 * sharing a prefix nobody else uses; `cleanup()` closes them and deletes what they
 * created (Redis keys by SCAN, dead letters included; RabbitMQ queues and exchanges
 * they declared). `tag`
 * names the package in every prefix and connection name (`herald-<tag>-test…`).
 */
export class TransportKit<Bus extends Closable, Middleware> {
  private readonly redisBuses: Bus[] = [];
  private readonly rabbitBuses: Array<Bus & DeclaresTopology> = [];
  private readonly redisPrefixes = new Set<string>();

  constructor(
    readonly transport: TransportName,
    private readonly modules: TransportModules<Bus, Middleware>,
    private readonly tag: string,
  ) {}

  /** Two buses on one prefix: events published on the first reach subscribers of the second. */
  pair(publisher: Middleware[], consumer: Middleware[]): [Bus, Bus] {
    const id = randomUUID().slice(0, 8);
    return [this.bus(id, 'pub', publisher), this.bus(id, 'sub', consumer)];
  }

  private bus(id: string, role: string, middleware: Middleware[]): Bus {
    const tag = this.tag;
    if (this.transport === 'redis-pubsub') {
      const prefix = `herald-${tag}-test:${id}:`;
      this.redisPrefixes.add(prefix);
      const connectionName = `herald-${tag}-test-${id}-${role}`;
      const bus = new this.modules.redisPubSub.RedisPubSubEventBus({ redis: REDIS_URL, prefix, connectionName, middleware });
      this.redisBuses.push(bus);
      return bus;
    }
    const prefix = `t.${tag}.${id}.`;
    const connectionName = `herald-${tag}-test:${id}:${role}`;
    const bus = new this.modules.rabbitmq.RabbitMQEventBus({ url: AMQP_URL, prefix, connectionName, middleware });
    this.rabbitBuses.push(bus);
    return bus;
  }

  async cleanup(): Promise<void> {
    const rabbit = this.rabbitBuses.splice(0);
    const redis = this.redisBuses.splice(0);
    await Promise.allSettled([...rabbit, ...redis].map((b) => b.close()));
    if (this.redisPrefixes.size > 0) await this.deleteRedisKeys([...this.redisPrefixes]);
    this.redisPrefixes.clear();
    if (rabbit.length > 0) await deleteTopology(this.modules.amqp, AMQP_URL, rabbit);
  }

  private async deleteRedisKeys(prefixes: string[]): Promise<void> {
    const admin = new this.modules.Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
    try {
      // Dead-letter keys are under the prefix too.
      for (const prefix of prefixes) await deleteKeys(admin, prefix);
    } finally {
      admin.disconnect();
    }
  }
}
