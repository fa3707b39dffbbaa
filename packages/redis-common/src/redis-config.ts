import type { RedisConnectionConfig } from '@herald/core';
import type { RedisOptions } from 'ioredis';

/**
 * ioredis options from core's REDIS_EVENT_STORE_* config
 * (`redisOptionsFromConfig(loadRedisConfig(process.env))`). The password is
 * passed through, never logged; TLS verifies the server's name against `host`.
 */
export function redisOptionsFromConfig(config: RedisConnectionConfig): RedisOptions {
  const options: RedisOptions = { host: config.host, port: config.port, db: config.db };
  if (config.password !== undefined) options.password = config.password;
  if (config.tls) options.tls = { servername: config.host };
  return options;
}
