import type { Env } from '@herald/core';
import { redisOptionsFromEnv } from '@herald/redis-common';
import type { RedisOptions } from 'ioredis';
import type { RedisPubSubEventBusOptions } from './options.js';

/**
 * The bus's options from the environment: the connection from
 * REDIS_EVENT_STORE_HOST / PORT / PASSWORD / DB / TLS, the variables every
 * Redis package reads. Throws ConfigError naming a bad variable; never puts
 * the password in a message.
 *
 *   new RedisPubSubEventBus({ ...redisPubSubOptionsFromEnv(process.env), prefix: 'app:' })
 */
export function redisPubSubOptionsFromEnv(env: Env = process.env): RedisPubSubEventBusOptions & { redis: RedisOptions } {
  return { redis: redisOptionsFromEnv(env) };
}
