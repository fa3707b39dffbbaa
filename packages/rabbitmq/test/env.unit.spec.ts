import { ConfigError, isHeraldError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { RabbitMQEventBus, rabbitOptionsFromEnv } from '../src/index.js';

const PASSWORD = 'pw-should-not-leak';

describe('rabbitOptionsFromEnv', () => {
  it('defaults to guest@127.0.0.1:5672 vhost / without TLS, and 5671 with TLS', () => {
    expect(rabbitOptionsFromEnv({})).toEqual({
      connection: { protocol: 'amqp', hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest', vhost: '/' },
    });
    expect(rabbitOptionsFromEnv({ RABBITMQ_TLS: '1' }).connection).toMatchObject({ protocol: 'amqps', port: 5671 });
  });

  it('reads RABBITMQ_* into the bus options', () => {
    // Given every variable set
    const env = { RABBITMQ_HOST: 'mq', RABBITMQ_PORT: '5673', RABBITMQ_USERNAME: 'svc', RABBITMQ_PASSWORD: 's3cr3t', RABBITMQ_VHOST: 'v', RABBITMQ_TLS: 'true' };
    // When read
    const options = rabbitOptionsFromEnv(env);
    // Then they are the bus's connection, which the bus accepts as it is
    expect(options).toEqual({
      connection: { protocol: 'amqps', hostname: 'mq', port: 5673, username: 'svc', password: 's3cr3t', vhost: 'v' },
    });
    expect(new RabbitMQEventBus({ ...options, prefix: 'env-test.' }).exchange).toBe('env-test.events');
  });

  it.each([
    ['RABBITMQ_PORT', 'abc'],
    ['RABBITMQ_PORT', '70000'],
    ['RABBITMQ_TLS', 'maybe'],
    ['RABBITMQ_PORT', 'amqp://guest:hunter2-xyzzy@mq.example.com:5672/'],
  ])('%s=%j is a ConfigError naming the variable, never showing the password or the value', (name, value) => {
    let error: unknown;
    try {
      rabbitOptionsFromEnv({ [name]: value, RABBITMQ_PASSWORD: PASSWORD });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(isHeraldError(error, 'CONFIG')).toBe(true);
    expect((error as ConfigError).variable).toBe(name);
    // (a value as short as "0" would be found in any stack's line numbers: only longer ones are looked for)
    for (const part of [PASSWORD, 'hunter2', ...(value.length > 3 ? [value] : [])]) {
      expect((error as Error).message).not.toContain(part);
      expect(String((error as Error).stack)).not.toContain(part);
    }
  });
});
