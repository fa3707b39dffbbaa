import { ConfigError, readInt, readString, type Env } from '@herald/core';
import { redisOptionsFromEnv } from '@herald/redis-common';
import type { RedisOptions } from 'ioredis';
import { prefixProblem, type RedisStreamsEventBusOptions } from './options.js';

/**
 * The bus's options from the environment: the connection from
 * REDIS_EVENT_STORE_HOST/PORT/PASSWORD/DB/TLS (`redisOptionsFromEnv`, the
 * variables every Redis package reads), and the stream settings from
 * REDIS_STREAMS_PREFIX, REDIS_STREAMS_PARTITIONS, REDIS_STREAMS_MAX_LEN,
 * REDIS_STREAMS_CLAIM_IDLE_MS and REDIS_STREAMS_BLOCK_MS (each optional).
 * Throws ConfigError naming a bad variable; never puts the password in a message.
 *
 *   new RedisStreamsEventBus({ ...redisStreamsOptionsFromEnv(process.env), logger })
 */
export function redisStreamsOptionsFromEnv(env: Env = process.env): RedisStreamsEventBusOptions & { redis: RedisOptions } {
  const options: RedisStreamsEventBusOptions & { redis: RedisOptions } = { redis: redisOptionsFromEnv(env) };
  const prefix = readString(env, 'REDIS_STREAMS_PREFIX');
  if (prefix !== undefined) {
    const problem = prefixProblem(prefix);
    if (problem !== undefined) throw new ConfigError('REDIS_STREAMS_PREFIX', problem);
    options.prefix = prefix;
  }
  const ints: Array<[keyof RedisStreamsEventBusOptions, string]> = [
    ['partitions', 'REDIS_STREAMS_PARTITIONS'],
    ['maxLen', 'REDIS_STREAMS_MAX_LEN'],
    ['claimIdleMs', 'REDIS_STREAMS_CLAIM_IDLE_MS'],
    ['blockMs', 'REDIS_STREAMS_BLOCK_MS'],
  ];
  for (const [option, variable] of ints) {
    if (env[variable] === undefined || env[variable] === '') continue;
    (options as unknown as Record<string, number>)[option] = readInt(env, variable, 0, { min: 1 });
  }
  return options;
}
