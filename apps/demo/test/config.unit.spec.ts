import { ConfigError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { loadDemoConfig } from '../src/infrastructure/config.js';

describe('demo configuration', () => {
  it('defaults to memory/memory with core retry defaults', () => {
    const config = loadDemoConfig({}, { logLevel: 'warn' });
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      prefix: 'gamifier',
      logLevel: 'warn',
      notifierFailureRate: 0.1,
      tracingEnabled: false,
      events: { transport: 'memory', store: 'memory', trackingEnabled: true, deadLetterEnabled: true, retry: { maxAttempts: 3 } },
    });
  });

  it('reads the transport, store and EVENT_* variables', () => {
    const config = loadDemoConfig(
      { EVENT_BUS_TRANSPORT: 'rabbitmq', EVENT_STORE: 'redis', EVENT_RETRY_MAX_ATTEMPTS: '5', EVENT_RETRY_BACKOFF: 'fixed', PORT: '8080' },
      { logLevel: 'info' },
    );
    expect(config.events).toMatchObject({ transport: 'rabbitmq', store: 'redis', retry: { maxAttempts: 5, backoff: { type: 'fixed' } } });
    expect(config.port).toBe(8080);
  });

  it.each([
    ['EVENT_BUS_TRANSPORT', 'kafka'],
    ['EVENT_STORE', 'postgres'],
    ['EVENT_RETRY_MAX_ATTEMPTS', 'three'],
    ['PORT', '70000'],
    ['GAMIFIER_PREFIX', 'has space'],
    ['LOG_LEVEL', 'loud'],
    ['NOTIFIER_FAILURE_RATE', '1.5'],
  ])('a bad %s is a ConfigError naming it', (variable, value) => {
    expect(() => loadDemoConfig({ [variable]: value }, { logLevel: 'warn' })).toThrow(
      expect.objectContaining({ name: ConfigError.name, variable }),
    );
  });
});
