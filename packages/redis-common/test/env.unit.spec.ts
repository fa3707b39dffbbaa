import { ConfigError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { redisOptionsFromEnv } from '../src/index.js';

const PASSWORD = 'hunter2-S3cret!';

function configError(read: () => unknown): ConfigError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('redisOptionsFromEnv', () => {
  it('turns REDIS_EVENT_STORE_* into ioredis options', () => {
    // Given every variable set
    const env = {
      REDIS_EVENT_STORE_HOST: 'redis.internal',
      REDIS_EVENT_STORE_PORT: '6380',
      REDIS_EVENT_STORE_PASSWORD: PASSWORD,
      REDIS_EVENT_STORE_DB: '2',
      REDIS_EVENT_STORE_TLS: 'true',
    };

    // When read
    const options = redisOptionsFromEnv(env);

    // Then host, port, db, password and TLS (checking the host name) are set
    expect(options).toEqual({ host: 'redis.internal', port: 6380, db: 2, password: PASSWORD, tls: { servername: 'redis.internal' } });
  });

  it('defaults to 127.0.0.1:6379, db 0, no password, no TLS', () => {
    // Given no variables / When read / Then the options are the local defaults
    expect(redisOptionsFromEnv({})).toEqual({ host: '127.0.0.1', port: 6379, db: 0 });
  });

  it.each([
    ['REDIS_EVENT_STORE_PORT', 'sixty'],
    ['REDIS_EVENT_STORE_PORT', '0'],
    ['REDIS_EVENT_STORE_PORT', '70000'],
    ['REDIS_EVENT_STORE_DB', '16'],
    ['REDIS_EVENT_STORE_DB', '-1'],
    ['REDIS_EVENT_STORE_TLS', 'sometimes'],
    ['REDIS_EVENT_STORE_PORT', 'redis://default:hunter2-xyzzy@redis.example.com:6379/0'],
  ])('%s=%j is a ConfigError naming the variable, never showing the password or the value', (name, value) => {
    // Given a bad value next to a password
    const env = { REDIS_EVENT_STORE_PASSWORD: PASSWORD, [name]: value };

    // When read
    const error = configError(() => redisOptionsFromEnv(env));

    // Then the error names the variable and shows neither the password nor the value
    expect(error.variable).toBe(name);
    // (a value as short as "0" would be found in any stack's line numbers: only longer ones are looked for)
    for (const part of [PASSWORD, 'hunter2', ...(value.length > 3 ? [value] : [])]) {
      expect(error.message).not.toContain(part);
      expect(String(error.stack)).not.toContain(part);
    }
  });
});
