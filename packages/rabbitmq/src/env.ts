import { readBool, readHost, readInt, readSecret, readString, type Env } from '@herald/core';
import type { RabbitMQConnectionOptions, RabbitMQEventBusOptions } from './options.js';

/**
 * The bus's connection from RABBITMQ_HOST / PORT / USERNAME / PASSWORD / VHOST /
 * TLS. Defaults: guest:guest@127.0.0.1, vhost `/`, port 5672 (5671 with TLS).
 * A bad value throws ConfigError naming the variable; no message shows a value
 * (the password is passed on, never printed).
 *
 *   new RabbitMQEventBus({ ...rabbitOptionsFromEnv(process.env), prefix: 'app.' })
 */
export function rabbitOptionsFromEnv(env: Env = process.env): RabbitMQEventBusOptions & { connection: RabbitMQConnectionOptions } {
  const tls = readBool(env, 'RABBITMQ_TLS', false);
  return {
    connection: {
      protocol: tls ? 'amqps' : 'amqp',
      hostname: readHost(env, 'RABBITMQ_HOST', '127.0.0.1'),
      port: readInt(env, 'RABBITMQ_PORT', tls ? 5671 : 5672, { min: 1, max: 65_535 }),
      username: readString(env, 'RABBITMQ_USERNAME', 'guest')!,
      password: readSecret(env, 'RABBITMQ_PASSWORD') ?? 'guest',
      vhost: readString(env, 'RABBITMQ_VHOST', '/')!,
    },
  };
}
