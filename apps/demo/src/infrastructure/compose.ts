import {
  InMemoryCheckpointStore,
  InMemoryEventBus,
  InMemorySnapshotStore,
  type CheckpointStore,
  type Env,
  type EventBus,
  type EventBusMiddleware,
  type EventStore,
  type Logger,
  type RetryStrategy,
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

/** What every transport is built with; `prefix` is the bare namespace (each adds its own separator). */
interface BusSetup {
  env: Env;
  options: { retry: RetryStrategy; middleware: EventBusMiddleware[]; logger: Logger; upcasters: Upcasters };
  prefix: string;
}

/**
 * EVENT_BUS_TRANSPORT → the package that carries the events. Core knows no
 * transport names: this table is where a name becomes a package. Each package
 * reads its own connection settings (`…OptionsFromEnv`) and is imported on
 * demand, so the memory default needs no Redis or RabbitMQ client at all.
 */
const TRANSPORTS = {
  memory: async ({ options }: BusSetup) => ({ bus: new InMemoryEventBus(options) as EventBus, endpoint: undefined }),
  'redis-pubsub': async ({ env, options, prefix }: BusSetup) => {
    const { RedisPubSubEventBus, redisPubSubOptionsFromEnv } = await import('@herald/redis-pubsub');
    const { redis } = redisPubSubOptionsFromEnv(env);
    const bus = new RedisPubSubEventBus({ ...options, redis, prefix: `${prefix}:` });
    return { bus, endpoint: `redis pub/sub ${redis.host}:${redis.port}/${redis.db}` };
  },
  'redis-streams': async ({ env, options, prefix }: BusSetup) => {
    const { RedisStreamsEventBus, redisStreamsOptionsFromEnv } = await import('@herald/redis-streams');
    // REDIS_EVENT_STORE_* for the connection, REDIS_STREAMS_* (partitions, maxLen, …) for the streams.
    const fromEnv = redisStreamsOptionsFromEnv(env);
    const bus = new RedisStreamsEventBus({ ...fromEnv, ...options, prefix: `${prefix}:` });
    return { bus, endpoint: `redis streams ${fromEnv.redis.host}:${fromEnv.redis.port}/${fromEnv.redis.db}` };
  },
  rabbitmq: async ({ env, options, prefix }: BusSetup) => {
    const { RabbitMQEventBus, rabbitOptionsFromEnv } = await import('@herald/rabbitmq');
    const { connection } = rabbitOptionsFromEnv(env);
    // Exchange `<prefix>.events`, queues `<prefix>.…`.
    const bus = new RabbitMQEventBus({ ...options, connection, prefix: `${prefix}.` });
    const tls = connection.protocol === 'amqps' ? ' (tls)' : '';
    return { bus, endpoint: `rabbitmq ${connection.hostname}:${connection.port} vhost ${connection.vhost}${tls}` };
  },
} satisfies Record<string, (setup: BusSetup) => Promise<{ bus: EventBus; endpoint: string | undefined }>>;

type TransportName = keyof typeof TRANSPORTS;

/** The EVENT_BUS_TRANSPORT names the demo knows (loadDemoConfig refuses others). */
export const TRANSPORT_NAMES = Object.keys(TRANSPORTS) as readonly TransportName[];
/** The EVENT_STORE names: `memory`, or `redis` (@herald/redis-store). */
export const STORE_NAMES = ['memory', 'redis'] as const;

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
      const { RedisEventStore, RedisCheckpointStore, RedisSnapshotStore, redisOptionsFromEnv } = await import('@herald/redis-store');
      const { Redis } = await import('ioredis');
      const redisOptions = redisOptionsFromEnv(env);
      const where = `${redisOptions.host}:${redisOptions.port}`;
      const redis = new Redis({ ...redisOptions, lazyConnect: true, connectTimeout: 5_000 });
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
      endpoints.push(`redis store ${where}/${redisOptions.db}`);
    } else {
      store = new InMemoryEventStore({ upcasters });
      checkpoints = new InMemoryCheckpointStore();
      snapshots = new InMemorySnapshotStore();
    }

    // The bus: EVENT_BUS_TRANSPORT names one of TRANSPORTS.
    const { bus, endpoint } = await TRANSPORTS[events.transport as TransportName]({
      env,
      options: { retry: events.retry, middleware, logger, upcasters },
      prefix: busPrefix,
    });
    if (endpoint !== undefined) endpoints.push(endpoint);
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
