import { ConfigError, loadRedisConfig } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { redisOptionsFromConfig } from '../src/index.js';

describe('redisOptionsFromConfig', () => {
  it('turns REDIS_EVENT_STORE_* into ioredis options', () => {
    // Given every variable set
    const env = {
      REDIS_EVENT_STORE_HOST: 'redis.internal',
      REDIS_EVENT_STORE_PORT: '6380',
      REDIS_EVENT_STORE_PASSWORD: 's3cret',
      REDIS_EVENT_STORE_DB: '2',
      REDIS_EVENT_STORE_TLS: 'true',
    };

    // When read and converted
    const options = redisOptionsFromConfig(loadRedisConfig(env));

    // Then host, port, db, password and TLS (checking the host name) are set
    expect(options).toEqual({ host: 'redis.internal', port: 6380, db: 2, password: 's3cret', tls: { servername: 'redis.internal' } });
  });

  it('defaults to 127.0.0.1:6379, db 0, no password, no TLS', () => {
    // Given no variables
    // When read and converted
    // Then the options are the local defaults
    expect(redisOptionsFromConfig(loadRedisConfig({}))).toEqual({ host: '127.0.0.1', port: 6379, db: 0 });
  });

  it('names the variable of a bad value and never echoes the password', () => {
    // Given a bad port next to a password
    const env = { REDIS_EVENT_STORE_PORT: 'sixty', REDIS_EVENT_STORE_PASSWORD: 'hunter2-secret' };

    // When read
    const read = () => loadRedisConfig(env);

    // Then the ConfigError names the port variable and does not contain the password
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/REDIS_EVENT_STORE_PORT/);
    try {
      read();
    } catch (error) {
      expect(String(error)).not.toContain('hunter2-secret');
    }
  });
});
