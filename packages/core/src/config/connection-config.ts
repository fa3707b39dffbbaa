import { readBool, readInt, readSecret, readString, type Env } from './env.js';

/**
 * Connection settings read from the REDIS_EVENT_STORE_* and RABBITMQ_* variables as plain objects, so
 * core stays free of client libraries; each transport turns them into its
 * client's options. Passwords are carried, never printed: `redactUrl` and
 * `createRedactor` (secrets.ts) give loggable forms.
 */
export interface RedisConnectionConfig {
  host: string;
  port: number;
  password?: string;
  db: number;
  tls: boolean;
}

/** REDIS_EVENT_STORE_HOST/PORT/PASSWORD/DB/TLS. */
export function loadRedisConfig(env: Env = process.env): RedisConnectionConfig {
  const config: RedisConnectionConfig = {
    host: readString(env, 'REDIS_EVENT_STORE_HOST', '127.0.0.1')!,
    port: readInt(env, 'REDIS_EVENT_STORE_PORT', 6379, { min: 1, max: 65_535 }),
    db: readInt(env, 'REDIS_EVENT_STORE_DB', 0, { min: 0, max: 15 }),
    tls: readBool(env, 'REDIS_EVENT_STORE_TLS', false),
  };
  const password = readSecret(env, 'REDIS_EVENT_STORE_PASSWORD');
  if (password !== undefined) config.password = password;
  return config;
}

export interface RabbitMQConnectionConfig {
  host: string;
  port: number;
  username: string;
  password: string;
  vhost: string;
  tls: boolean;
}

/** RABBITMQ_HOST/PORT/USERNAME/PASSWORD/VHOST/TLS. */
export function loadRabbitMQConfig(env: Env = process.env): RabbitMQConnectionConfig {
  const tls = readBool(env, 'RABBITMQ_TLS', false);
  return {
    host: readString(env, 'RABBITMQ_HOST', '127.0.0.1')!,
    port: readInt(env, 'RABBITMQ_PORT', tls ? 5671 : 5672, { min: 1, max: 65_535 }),
    username: readString(env, 'RABBITMQ_USERNAME', 'guest')!,
    password: readSecret(env, 'RABBITMQ_PASSWORD') ?? 'guest',
    vhost: readString(env, 'RABBITMQ_VHOST', '/')!,
    tls,
  };
}

