import {
  InMemoryCheckpointStore,
  InMemoryEventBus,
  InMemorySnapshotStore,
  loadRabbitMQConfig,
  loadRedisConfig,
  type CheckpointStore,
  type Env,
  type EventBus,
  type EventBusMiddleware,
  type EventStore,
  type Logger,
  type SnapshotStore,
  type Upcasters,
} from '@herald/core';
import { createGamifierUpcasters } from '../domain/upcasters.js';
import { InMemoryEventStore } from '@herald/in-memory-store';
import type { Registry } from 'prom-client';
import type { DemoConfig } from './config.js';

/** Metrics when EVENT_TRACKING_ENABLED: the tracker and the registry /metrics serves. */
export interface Metrics {
  registry: Registry;
  tracker: import('@herald/prometheus').PrometheusEventTracker;
}

export interface Infrastructure {
  bus: EventBus;
  store: EventStore;
  checkpoints: CheckpointStore;
  /** Player snapshots, next to the events (Redis store: same prefix). */
  snapshots: SnapshotStore;
  /** The Gamifier's upcasters; the store and the bus already apply them. */
  upcasters: Upcasters;
  metrics: Metrics | undefined;
  /** Where things run, safe to print (no credentials). */
  description: { transport: string; store: string; endpoints: string[] };
  /** Deletes every key of a Redis store (SCAN, never KEYS); a no-op in memory. Returns keys deleted. */
  dropStoredEvents(): Promise<number>;
  /** Closes the bus, then the store and every connection this module opened. */
  close(): Promise<void>;
}

export interface ComposeOptions {
  config: DemoConfig;
  env: Env;
  logger: Logger;
  /** Middleware that goes after metrics and tracing (the app's flow monitor). */
  middleware?: EventBusMiddleware[];
  /** Redis key prefix of the store and its checkpoints. Default `${prefix}:store`. */
  storePrefix?: string;
  /** Prefix of the bus's channels, exchanges and queues. Default the config's prefix. */
  busPrefix?: string;
}

/**
 * Chooses the transport and the store from the environment and builds them.
 * The only file that knows which packages exist: everything else sees an
 * EventBus, an EventStore and a CheckpointStore. Server packages are imported
 * on demand, so the memory defaults need no Redis or RabbitMQ client at all.
 */
export async function composeInfrastructure(options: ComposeOptions): Promise<Infrastructure> {
  const { config, env, logger } = options;
  const { events } = config;
  const storePrefix = options.storePrefix ?? `${config.prefix}:store`;
  const busPrefix = options.busPrefix ?? config.prefix;
  let dropStoredEvents = async () => 0;
  const closers: Array<() => Promise<unknown>> = [];
  const endpoints: string[] = [];
  try {
    const metrics = events.trackingEnabled ? await createMetrics() : undefined;
    const middleware: EventBusMiddleware[] = [];
    if (metrics) {
      const { prometheusMiddleware } = await import('@herald/prometheus');
      middleware.push(prometheusMiddleware(metrics.tracker));
    }
    if (config.tracingEnabled) {
      const { openTelemetryMiddleware } = await import('@herald/opentelemetry');
      middleware.push(openTelemetryMiddleware());
    }
    middleware.push(...(options.middleware ?? []));

    // The store (and the outbox checkpoint, which must live where the events live).
    const upcasters = createGamifierUpcasters();
    let store: EventStore;
    let checkpoints: CheckpointStore;
    let snapshots: SnapshotStore;
    if (events.store === 'redis') {
      const { RedisEventStore, RedisCheckpointStore, RedisSnapshotStore, redisOptionsFromConfig } = await import('@herald/redis-store');
      const { Redis } = await import('ioredis');
      const redisConfig = loadRedisConfig(env);
      const where = `${redisConfig.host}:${redisConfig.port}`;
      const redis = new Redis({ ...redisOptionsFromConfig(redisConfig), lazyConnect: true, connectTimeout: 5_000 });
      // Message only: ioredis puts the failed command's arguments (AUTH: the password) on its errors.
      let lastError = '';
      redis.on('error', (error: Error) => {
        lastError = error.message;
        logger.warn({ redis: where, error: error.message }, 'redis store connection error');
      });
      closers.push(() => redis.quit().catch(() => redis.disconnect()));
      try {
        await redis.connect();
      } catch (error) {
        redis.disconnect();
        throw new Error(`cannot connect to the Redis event store at ${where} (REDIS_EVENT_STORE_*): ${lastError || (error as Error).message}`);
      }
      // One prefix for both, as the package recommends: a store's data stays together.
      store = new RedisEventStore({ redis, prefix: `${storePrefix}:`, logger, upcasters });
      checkpoints = new RedisCheckpointStore({ redis, prefix: `${storePrefix}:`, logger });
      snapshots = new RedisSnapshotStore({ redis, prefix: `${storePrefix}:`, logger });
      dropStoredEvents = () => deleteKeys(redis, storePrefix);
      endpoints.push(`redis store ${redisConfig.host}:${redisConfig.port}/${redisConfig.db}`);
    } else {
      store = new InMemoryEventStore({ upcasters });
      checkpoints = new InMemoryCheckpointStore();
      snapshots = new InMemorySnapshotStore();
    }

    // The bus.
    const busOptions = { retry: events.retry, middleware, logger, upcasters };
    let bus: EventBus;
    switch (events.transport) {
      case 'redis-pubsub': {
        const { RedisPubSubEventBus } = await import('@herald/redis-pubsub');
        const { redisOptionsFromConfig } = await import('@herald/redis-store');
        const redisConfig = loadRedisConfig(env);
        bus = new RedisPubSubEventBus({ ...busOptions, redis: redisOptionsFromConfig(redisConfig), prefix: `${busPrefix}:` });
        endpoints.push(`redis pub/sub ${redisConfig.host}:${redisConfig.port}/${redisConfig.db}`);
        break;
      }
      case 'redis-streams': {
        const { RedisStreamsEventBus, redisStreamsOptionsFromEnv } = await import('@herald/redis-streams');
        const redisConfig = loadRedisConfig(env);
        // REDIS_EVENT_STORE_* for the connection, REDIS_STREAMS_* (partitions, maxLen, …) for the streams.
        bus = new RedisStreamsEventBus({ ...redisStreamsOptionsFromEnv(env), ...busOptions, prefix: `${busPrefix}:` });
        endpoints.push(`redis streams ${redisConfig.host}:${redisConfig.port}/${redisConfig.db}`);
        break;
      }
      case 'rabbitmq': {
        const { RabbitMQEventBus, rabbitOptionsFromConfig } = await import('@herald/rabbitmq');
        const rabbit = loadRabbitMQConfig(env);
        // Exchange `<prefix>.events`, queues `<prefix>.…`.
        bus = new RabbitMQEventBus({ ...busOptions, ...rabbitOptionsFromConfig(rabbit), prefix: `${busPrefix}.` });
        endpoints.push(`rabbitmq ${rabbit.host}:${rabbit.port} vhost ${rabbit.vhost}${rabbit.tls ? ' (tls)' : ''}`);
        break;
      }
      default:
        bus = new InMemoryEventBus(busOptions);
    }
    closers.unshift(() => bus.close());
    await bus.connect();

    return {
      bus,
      store,
      checkpoints,
      snapshots,
      upcasters,
      metrics,
      description: { transport: events.transport, store: events.store, endpoints },
      dropStoredEvents,
      close: async () => {
        for (const close of closers.splice(0)) {
          try {
            await close();
          } catch (error) {
            logger.warn({ error: (error as Error).message }, 'error while closing');
          }
        }
      },
    };
  } catch (error) {
    for (const close of closers.splice(0)) await close().catch(() => {});
    throw error;
  }
}

/** Deletes the keys under `prefix:` with SCAN + UNLINK, a page at a time. */
async function deleteKeys(redis: import('ioredis').Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${globEscape(prefix)}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

async function createMetrics(): Promise<Metrics> {
  const { Registry } = await import('prom-client');
  const { PrometheusEventTracker } = await import('@herald/prometheus');
  const registry = new Registry();
  return { registry, tracker: new PrometheusEventTracker({ registry, prefix: 'gamifier' }) };
}
