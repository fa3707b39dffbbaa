import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  type Env,
  loadEventConfig,
  loadRabbitMQConfig,
  loadRedisConfig,
  readBool,
  readEnum,
  readInt,
  readString,
  validateRetryStrategy,
} from '../src/index.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const PASSWORD = 'hunter2-S3cret!';

describe('loadEventConfig', () => {
  it('defaults: 3 attempts, exponential 1000 ms capped at 30 s, dead letters and tracking on, memory bus and store', () => {
    // Given / When
    const config = loadEventConfig({});
    // Then
    expect(config).toEqual({
      retry: { maxAttempts: 3, backoff: { type: 'exponential', delay: 1000, maxDelay: 30_000 }, deadLetter: { enabled: true } },
      deadLetterEnabled: true,
      trackingEnabled: true,
      transport: 'memory',
      store: 'memory',
    });
    expect(() => validateRetryStrategy(config.retry)).not.toThrow();
  });

  it('reads every variable, trimming whitespace and treating empty as unset', () => {
    // Given
    const env: Env = {
      EVENT_RETRY_MAX_ATTEMPTS: ' 5 ',
      EVENT_RETRY_DELAY: '2000',
      EVENT_RETRY_BACKOFF: 'fixed',
      EVENT_RETRY_MAX_DELAY: '60000',
      EVENT_DEAD_LETTER_ENABLED: 'false',
      EVENT_TRACKING_ENABLED: 'NO',
      EVENT_BUS_TRANSPORT: 'rabbitmq',
      EVENT_STORE: '',
    };
    // When
    const config = loadEventConfig(env);
    // Then
    expect(config).toEqual({
      retry: { maxAttempts: 5, backoff: { type: 'fixed', delay: 2000, maxDelay: 60_000 }, deadLetter: { enabled: false } },
      deadLetterEnabled: false,
      trackingEnabled: false,
      transport: 'rabbitmq',
      store: 'memory',
    });
  });

  it.each([
    ['EVENT_RETRY_MAX_ATTEMPTS', 'three'],
    ['EVENT_RETRY_MAX_ATTEMPTS', '0'],
    ['EVENT_RETRY_MAX_ATTEMPTS', '2.5'],
    ['EVENT_RETRY_DELAY', '-1'],
    ['EVENT_RETRY_DELAY', '1s'],
    ['EVENT_RETRY_BACKOFF', 'linear'],
    ['EVENT_RETRY_MAX_DELAY', 'forever'],
    ['EVENT_DEAD_LETTER_ENABLED', 'maybe'],
    ['EVENT_TRACKING_ENABLED', '2'],
    ['EVENT_BUS_TRANSPORT', 'kafka'],
    ['EVENT_STORE', 'postgres'],
  ])('%s=%j is a ConfigError naming the variable', (name, value) => {
    // When
    const error = configError(() => loadEventConfig({ [name]: value }));
    // Then
    expect(error.variable).toBe(name);
    expect(error.message.startsWith(`${name}: `)).toBe(true);
    expect(error.code).toBe('CONFIG');
  });

  it('reads process.env by default', () => {
    expect(loadEventConfig().transport).toMatch(/^(memory|redis-pubsub|rabbitmq)$/);
  });
});

describe('loadRedisConfig', () => {
  it('defaults to 127.0.0.1:6379 db 0 without TLS or password', () => {
    const config = loadRedisConfig({});
    expect(config).toEqual({ host: '127.0.0.1', port: 6379, db: 0, tls: false });
    expect('password' in config).toBe(false);
  });

  it('reads REDIS_EVENT_STORE_*', () => {
    expect(
      loadRedisConfig({
        REDIS_EVENT_STORE_HOST: 'redis.production.com',
        REDIS_EVENT_STORE_PORT: '6380',
        REDIS_EVENT_STORE_PASSWORD: PASSWORD,
        REDIS_EVENT_STORE_DB: '1',
        REDIS_EVENT_STORE_TLS: 'true',
      }),
    ).toEqual({ host: 'redis.production.com', port: 6380, password: PASSWORD, db: 1, tls: true });
  });

  it.each([
    ['REDIS_EVENT_STORE_PORT', 'abc'],
    ['REDIS_EVENT_STORE_PORT', '0'],
    ['REDIS_EVENT_STORE_PORT', '70000'],
    ['REDIS_EVENT_STORE_DB', '16'],
    ['REDIS_EVENT_STORE_DB', '-1'],
    ['REDIS_EVENT_STORE_TLS', 'sometimes'],
  ])('%s=%j is a ConfigError naming the variable, never showing the password', (name, value) => {
    // Given a password is set
    const env = { REDIS_EVENT_STORE_PASSWORD: PASSWORD, [name]: value };
    // When
    const error = configError(() => loadRedisConfig(env));
    // Then
    expect(error.variable).toBe(name);
    expect(error.message).toContain(name);
    expect(error.message).not.toContain(PASSWORD);
    expect(String(error.stack)).not.toContain(PASSWORD);
    expect(JSON.stringify({ ...error })).not.toContain(PASSWORD);
  });
});

describe('a password-bearing value in the wrong variable', () => {
  const url = 'redis://default:hunter2-xyzzy@redis.example.com:6379/0';

  it.each([
    ['REDIS_EVENT_STORE_PORT', () => loadRedisConfig({ REDIS_EVENT_STORE_PORT: url })],
    ['REDIS_EVENT_STORE_DB', () => loadRedisConfig({ REDIS_EVENT_STORE_DB: url })],
    ['REDIS_EVENT_STORE_TLS', () => loadRedisConfig({ REDIS_EVENT_STORE_TLS: url })],
    ['RABBITMQ_PORT', () => loadRabbitMQConfig({ RABBITMQ_PORT: url })],
    ['EVENT_BUS_TRANSPORT', () => loadEventConfig({ EVENT_BUS_TRANSPORT: url })],
    ['EVENT_RETRY_MAX_ATTEMPTS', () => loadEventConfig({ EVENT_RETRY_MAX_ATTEMPTS: url })],
  ])('%s set to a URL with a password: the ConfigError names the variable and never echoes the value', (name, load) => {
    // Given a URL with a password pasted into a variable that wants something else
    // When it is loaded
    const error = configError(load);

    // Then the error names the variable and no part of the value
    expect(error.variable).toBe(name);
    expect(error.message).toContain(name);
    for (const part of ['hunter2', 'xyzzy', 'redis.example.com', url]) {
      expect(error.message).not.toContain(part);
      expect(String(error.stack)).not.toContain(part);
    }
  });

  it('does not echo an out-of-range number either', () => {
    // Given / When
    const error = configError(() => loadRedisConfig({ REDIS_EVENT_STORE_PORT: '123456789' }));
    // Then
    expect(error.message).toMatch(/REDIS_EVENT_STORE_PORT: must be ≤ 65535/);
    expect(error.message).not.toContain('123456789');
  });
});

describe('loadRabbitMQConfig', () => {
  it('defaults to guest@127.0.0.1:5672 vhost / without TLS, and 5671 with TLS', () => {
    expect(loadRabbitMQConfig({})).toEqual({
      host: '127.0.0.1',
      port: 5672,
      username: 'guest',
      password: 'guest',
      vhost: '/',
      tls: false,
    });
    expect(loadRabbitMQConfig({ RABBITMQ_TLS: '1' })).toMatchObject({ port: 5671, tls: true });
  });

  it('reads RABBITMQ_*', () => {
    expect(
      loadRabbitMQConfig({
        RABBITMQ_HOST: 'rabbitmq.production.com',
        RABBITMQ_PORT: '5673',
        RABBITMQ_USERNAME: 'app',
        RABBITMQ_PASSWORD: PASSWORD,
        RABBITMQ_VHOST: '/prod',
        RABBITMQ_TLS: 'off',
      }),
    ).toEqual({ host: 'rabbitmq.production.com', port: 5673, username: 'app', password: PASSWORD, vhost: '/prod', tls: false });
  });

  it.each([
    ['RABBITMQ_PORT', 'amqp'],
    ['RABBITMQ_PORT', '65536'],
    ['RABBITMQ_TLS', 'enabled'],
  ])('%s=%j is a ConfigError naming the variable, never showing the password', (name, value) => {
    const error = configError(() => loadRabbitMQConfig({ RABBITMQ_PASSWORD: PASSWORD, [name]: value }));
    expect(error.variable).toBe(name);
    expect(error.message).toContain(name);
    expect(error.message).not.toContain(PASSWORD);
    expect(String(error.stack)).not.toContain(PASSWORD);
  });
});

describe('env readers', () => {
  it('readString falls back on unset and empty values', () => {
    expect(readString({}, 'X', 'd')).toBe('d');
    expect(readString({ X: '' }, 'X', 'd')).toBe('d');
    expect(readString({ X: 'v' }, 'X', 'd')).toBe('v');
    expect(readString({}, 'X')).toBeUndefined();
  });

  it('readInt enforces integers and bounds', () => {
    expect(readInt({ N: '-3' }, 'N', 0)).toBe(-3);
    expect(readInt({}, 'N', 9)).toBe(9);
    expect(configError(() => readInt({ N: '1e3' }, 'N', 0)).variable).toBe('N');
    expect(configError(() => readInt({ N: '0x10' }, 'N', 0)).variable).toBe('N');
    expect(configError(() => readInt({ N: '5' }, 'N', 0, { max: 4 })).message).toMatch(/≤ 4/);
    expect(configError(() => readInt({ N: '3' }, 'N', 0, { min: 4 })).message).toMatch(/≥ 4/);
  });

  it('readBool accepts the usual spellings', () => {
    for (const v of ['true', 'TRUE', '1', 'yes', 'on']) expect(readBool({ B: v }, 'B', false)).toBe(true);
    for (const v of ['false', '0', 'no', 'Off']) expect(readBool({ B: v }, 'B', true)).toBe(false);
  });

  it('readEnum names the allowed values', () => {
    expect(configError(() => readEnum({ E: 'c' }, 'E', ['a', 'b'], 'a')).message).toMatch(/one of a, b/);
  });
});
