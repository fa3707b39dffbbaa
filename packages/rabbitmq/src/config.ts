import { loadRabbitMQConfig, type Env, type RabbitMQConnectionConfig } from '@herald/core';
import type { RabbitMQConnectionOptions } from './options.js';

/**
 * Turns core's `loadRabbitMQConfig(env)` (RABBITMQ_HOST/PORT/USERNAME/PASSWORD/
 * VHOST/TLS, ConfigError on a bad value) into the bus's `connection` option:
 *
 *   new RabbitMQEventBus({ ...rabbitOptionsFromConfig(loadRabbitMQConfig(process.env)), prefix: 'app.' })
 */
export function rabbitOptionsFromConfig(config: RabbitMQConnectionConfig): { connection: RabbitMQConnectionOptions } {
  return {
    connection: {
      protocol: config.tls ? 'amqps' : 'amqp',
      hostname: config.host,
      port: config.port,
      username: config.username,
      password: config.password,
      vhost: config.vhost,
    },
  };
}

/** `rabbitOptionsFromConfig(loadRabbitMQConfig(env))`. Throws ConfigError naming a bad variable. */
export function rabbitOptionsFromEnv(env: Env = process.env): { connection: RabbitMQConnectionOptions } {
  return rabbitOptionsFromConfig(loadRabbitMQConfig(env));
}

/** An `amqp(s)://` URL with the credentials percent-encoded. It holds the password: log `redactUrl(url)` instead. */
export function rabbitUrlFromConfig(config: RabbitMQConnectionConfig): string {
  const scheme = config.tls ? 'amqps' : 'amqp';
  const auth = `${encodeURIComponent(config.username)}:${encodeURIComponent(config.password)}@`;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${scheme}://${auth}${host}:${config.port}/${encodeURIComponent(config.vhost)}`;
}
