import { randomBytes } from 'node:crypto';
import type { Env } from '@herald/core';
import { RabbitMQEventBus, rabbitOptionsFromEnv } from '@herald/rabbitmq';
import { redisOptionsFromEnv } from '@herald/redis-store';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Gamifier, type GamifierOptions } from '../src/app.js';
import { loadDemoConfig } from '../src/infrastructure/config.js';
import { createLogger } from '../src/infrastructure/logger.js';
import { seededRandom } from '../src/random.js';

/**
 * Where one test's app puts things on the servers, unique per call:
 * Redis keys `<root>:…` (the bus's `<root>:dead-letters…`, the store's
 * `<root>:store:…`) and RabbitMQ exchanges and queues `<root>.…`.
 */
export interface TestNamespace {
  root: string;
  busPrefix: string;
  storePrefix: string;
}

/** A fresh namespace: `gamifier-test-<tag>-<random hex>`. */
export function testNamespace(tag: string): TestNamespace {
  const root = `gamifier-test-${tag}-${randomBytes(5).toString('hex')}`;
  return { root, busPrefix: root, storePrefix: `${root}:store` };
}

interface Started {
  namespace: TestNamespace;
  env: Env;
}

const started = new WeakMap<Gamifier, Started>();

/**
 * A started app on the environment given (memory/memory when it names no
 * transport), quiet, with fast retries, in a namespace of its own (`tag` names
 * it). Stop it with `stopTestApp`, which also deletes what it left on the servers.
 */
export async function startTestApp(
  tag: string,
  env: Record<string, string | undefined> = {},
  options: Omit<GamifierOptions, 'env' | 'config' | 'busPrefix' | 'storePrefix'> = {},
): Promise<Gamifier> {
  const fullEnv = { EVENT_RETRY_DELAY: '20', EVENT_RETRY_MAX_DELAY: '200', ...env };
  const config = loadDemoConfig(fullEnv, { logLevel: 'silent' });
  const namespace = testNamespace(tag);
  try {
    const app = await Gamifier.start({
      env: fullEnv,
      config,
      logger: createLogger(process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent'),
      random: seededRandom(7),
      ...options,
      busPrefix: namespace.busPrefix,
      storePrefix: namespace.storePrefix,
    });
    started.set(app, { namespace, env: fullEnv });
    return app;
  } catch (error) {
    // A start that failed half-way may already have declared the shared topology.
    await cleanUpNamespace(namespace, fullEnv, config.events).catch(() => {});
    throw error;
  }
}

/** Closes the app, then deletes every exchange, queue and Redis key under its namespace. */
export async function stopTestApp(app: Gamifier | undefined): Promise<void> {
  if (!app) return;
  const entry = started.get(app);
  const declared = app.bus instanceof RabbitMQEventBus ? app.bus.declaredTopology() : undefined;
  try {
    await app.close();
  } finally {
    if (entry) await cleanUpNamespace(entry.namespace, entry.env, app.config.events, declared);
  }
}

async function cleanUpNamespace(
  namespace: TestNamespace,
  env: Env,
  where: { transport: string; store: string },
  declared?: { exchanges: string[]; queues: string[] },
): Promise<void> {
  if (where.transport === 'rabbitmq') await deleteRabbitTopology(namespace, env, declared);
  if (where.transport === 'redis-pubsub' || where.transport === 'redis-streams' || where.store === 'redis') await deleteRedisKeys(namespace, env);
}

/**
 * Deletes, with plain amqplib, the queues and exchanges the RabbitMQ bus
 * declared under `<root>.` (see packages/rabbitmq/src/topology.ts): the ones
 * it reports, plus the shared ones every bus declares on connect, in case it
 * got no further. Queues first, then exchanges; every name is tried, and a
 * failure is thrown at the end so a test never passes with leftovers.
 */
async function deleteRabbitTopology(namespace: TestNamespace, env: Env, declared?: { exchanges: string[]; queues: string[] }): Promise<void> {
  const prefix = `${namespace.busPrefix}.`;
  const queues = new Set([`${prefix}dead-letters`, ...(declared?.queues ?? [])]);
  const exchanges = new Set([`${prefix}events`, `${prefix}dead-letter`, `${prefix}retry`, ...(declared?.exchanges ?? [])]);
  for (const name of [...queues, ...exchanges]) {
    if (!name.startsWith(prefix)) throw new Error(`test clean-up: ${name} is outside the test's namespace ${prefix}`);
  }
  const connection = await amqp.connect(rabbitOptionsFromEnv(env).connection);
  const failures: string[] = [];
  try {
    let channel = await connection.createChannel();
    const attempt = async (kind: string, name: string, remove: (ch: amqp.Channel) => Promise<unknown>) => {
      try {
        await remove(channel);
      } catch (error) {
        failures.push(`${kind} ${name}: ${(error as Error).message}`);
        channel = await connection.createChannel(); // a failed operation closes the channel
      }
    };
    for (const queue of queues) await attempt('queue', queue, (ch) => ch.deleteQueue(queue));
    for (const exchange of exchanges) await attempt('exchange', exchange, (ch) => ch.deleteExchange(exchange));
    await channel.close();
  } finally {
    await connection.close();
  }
  if (failures.length > 0) throw new Error(`test clean-up left RabbitMQ names behind: ${failures.join('; ')}`);
}

/** Deletes every Redis key under `<root>:` with SCAN + UNLINK (never KEYS). */
async function deleteRedisKeys(namespace: TestNamespace, env: Env): Promise<void> {
  const redis = new Redis({ ...redisOptionsFromEnv(env), lazyConnect: true, connectTimeout: 5_000 });
  redis.on('error', () => {}); // a failed command rejects below
  try {
    await redis.connect();
    const match = `${namespace.root.replace(/[*?[\]\\]/g, '\\$&')}:*`;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
