import { readBool, readHost, readInt, readSecret, type Env } from '@herald/core';
import type { RedisOptions } from 'ioredis';

/**
 * ioredis options from REDIS_EVENT_STORE_HOST / PORT / PASSWORD / DB / TLS, the
 * connection every Redis package reads (the store, and the pub/sub and Streams
 * buses when they run beside it). Defaults: 127.0.0.1:6379, db 0, no password,
 * no TLS; TLS verifies the server's name against the host. A bad value throws
 * ConfigError naming the variable; no message shows a value (the password is
 * passed on, never printed).
 *
 *   new Redis(redisOptionsFromEnv(process.env))
 */
export function redisOptionsFromEnv(env: Env = process.env): RedisOptions {
  const host = readHost(env, 'REDIS_EVENT_STORE_HOST', '127.0.0.1');
  const options: RedisOptions = {
    host,
    port: readInt(env, 'REDIS_EVENT_STORE_PORT', 6379, { min: 1, max: 65_535 }),
    db: readInt(env, 'REDIS_EVENT_STORE_DB', 0, { min: 0, max: 15 }),
  };
  const password = readSecret(env, 'REDIS_EVENT_STORE_PASSWORD');
  if (password !== undefined) options.password = password;
  if (readBool(env, 'REDIS_EVENT_STORE_TLS', false)) options.tls = { servername: host };
  return options;
}
