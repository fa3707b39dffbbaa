import { ConfigError, readHost, readInt, readString, readUrl, type Env } from '@herald/core';
import { AMQP_SCHEMES, type AmqpEventBusOptions } from './options.js';

/**
 * Connection options from the environment: `AMQP_URL`, or `AMQP_HOST` / `AMQP_PORT` /
 * `AMQP_USERNAME` / `AMQP_PASSWORD` / `AMQP_VHOST` (not both). Errors are ConfigErrors
 * naming the variable; no message ever contains the URL or the password.
 */
export function amqpOptionsFromEnv(env: Env = process.env): AmqpEventBusOptions {
  const url = readUrl(env, 'AMQP_URL', AMQP_SCHEMES);
  const fields = ['AMQP_HOST', 'AMQP_PORT', 'AMQP_USERNAME', 'AMQP_PASSWORD', 'AMQP_VHOST'].filter(
    (name) => readString(env, name) !== undefined,
  );
  if (url !== undefined) {
    if (fields.length > 0) throw new ConfigError('AMQP_URL', `give AMQP_URL or ${fields.join(', ')}, not both`);
    return { url };
  }
  const options: AmqpEventBusOptions = {
    host: readHost(env, 'AMQP_HOST', '127.0.0.1'),
    port: readInt(env, 'AMQP_PORT', 5672, { min: 1, max: 65_535 }),
  };
  const username = readString(env, 'AMQP_USERNAME');
  const password = readString(env, 'AMQP_PASSWORD');
  const vhost = readString(env, 'AMQP_VHOST');
  if (username !== undefined) options.username = username;
  if (password !== undefined) options.password = password;
  if (vhost !== undefined) options.vhost = vhost;
  return options;
}
