import { isHeraldError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { amqpOptionsFromEnv } from '../src/index.js';

function configError(run: () => unknown): { variable: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(isHeraldError(error, 'CONFIG')).toBe(true);
    return error as { variable: string; message: string };
  }
  throw new Error('expected a ConfigError');
}

describe('amqpOptionsFromEnv', () => {
  it('reads AMQP_URL as it is', () => {
    // Given / When / Then
    expect(amqpOptionsFromEnv({ AMQP_URL: 'amqps://u:p@broker:5671/v' })).toEqual({ url: 'amqps://u:p@broker:5671/v' });
  });

  it('reads the fields, with defaults for host and port', () => {
    expect(amqpOptionsFromEnv({ AMQP_USERNAME: 'u', AMQP_PASSWORD: 'p', AMQP_VHOST: 'v' })).toEqual({
      host: '127.0.0.1',
      port: 5672,
      username: 'u',
      password: 'p',
      vhost: 'v',
    });
  });

  it('names the variable and never echoes the URL or password', () => {
    const bad = configError(() => amqpOptionsFromEnv({ AMQP_URL: 'http://u:s3cret@host' }));
    expect(bad.variable).toBe('AMQP_URL');
    expect(bad.message).not.toContain('s3cret');
    const both = configError(() => amqpOptionsFromEnv({ AMQP_URL: 'amqp://h', AMQP_PASSWORD: 's3cret' }));
    expect(both.variable).toBe('AMQP_URL');
    expect(both.message).not.toContain('s3cret');
    expect(configError(() => amqpOptionsFromEnv({ AMQP_PORT: '99999' })).variable).toBe('AMQP_PORT');
  });
});
