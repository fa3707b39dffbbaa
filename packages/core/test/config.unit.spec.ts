import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  type Env,
  loadEventConfig,
  readBool,
  readEnum,
  readHost,
  readInt,
  readString,
  readUrl,
  validateRetryStrategy,
  ValidationError,
} from '../src/index.js';
import { formatServerUrl, MAX_TIMER_MS, parseServerUrl, timerMs } from '../src/transport.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const KNOWN = { transports: ['memory', 'redis-pubsub', 'rabbitmq'], stores: ['memory', 'redis'] };

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
    // When the application names the transports and stores it knows
    const error = configError(() => loadEventConfig({ [name]: value }, KNOWN));
    // Then
    expect(error.variable).toBe(name);
    expect(error.message.startsWith(`${name}: `)).toBe(true);
    expect(error.code).toBe('CONFIG');
  });

  it('reads process.env by default', () => {
    expect(loadEventConfig().transport).toBe(process.env.EVENT_BUS_TRANSPORT?.trim() || 'memory');
  });

  it('knows no transport or store names of its own: without a list any name is the application\'s to map', () => {
    // Given names core has never heard of
    const env = { EVENT_BUS_TRANSPORT: ' kafka ', EVENT_STORE: 'postgres' };
    // When / Then they come back as given (trimmed), and a list makes them errors
    expect(loadEventConfig(env)).toMatchObject({ transport: 'kafka', store: 'postgres' });
    expect(configError(() => loadEventConfig(env, { transports: ['kafka'], stores: ['memory'] })).variable).toBe('EVENT_STORE');
    expect(loadEventConfig({}, { transports: ['kafka'] }).transport).toBe('memory');
  });
});

describe('a password-bearing value in the wrong variable', () => {
  const url = 'redis://default:hunter2-xyzzy@redis.example.com:6379/0';

  it.each([
    ['EVENT_BUS_TRANSPORT', () => loadEventConfig({ EVENT_BUS_TRANSPORT: url }, KNOWN)],
    ['EVENT_RETRY_DELAY', () => loadEventConfig({ EVENT_RETRY_DELAY: url })],
    ['EVENT_TRACKING_ENABLED', () => loadEventConfig({ EVENT_TRACKING_ENABLED: url })],
    ['AMQP_URL', () => readUrl({ AMQP_URL: url }, 'AMQP_URL', ['amqp', 'amqps'])],
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
    const error = configError(() => readInt({ PORT: '123456789' }, 'PORT', 1, { min: 1, max: 65_535 }));
    // Then
    expect(error.message).toMatch(/PORT: must be ≤ 65535/);
    expect(error.message).not.toContain('123456789');
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

  it('readInt refuses a number it cannot read exactly', () => {
    const error = configError(() => readInt({ N: '99999999999999999999999' }, 'N', 0));
    expect(error.variable).toBe('N');
    expect(error.message).toMatch(/too large/);
    expect(error.message).not.toContain('9999');
  });

  it('readHost takes a host name or address and refuses a URL without showing it', () => {
    expect(readHost({}, 'H', '127.0.0.1')).toBe('127.0.0.1');
    expect(readHost({ H: ' redis.internal ' }, 'H', 'x')).toBe('redis.internal');
    expect(readHost({ H: '::1' }, 'H', 'x')).toBe('::1');
    for (const value of ['redis://u:s3cr3tPW@h', 'u:s3cr3tPW@h', 'h/0', '   ', 'a b']) {
      const error = configError(() => readHost({ H: value }, 'H', 'x'));
      expect(error.variable).toBe('H');
      expect(error.message).not.toContain('s3cr3tPW');
    }
  });

  it('timerMs refuses a delay longer than a Node timer honours', () => {
    expect(timerMs(MAX_TIMER_MS, 'publishTimeoutMs')).toBe(MAX_TIMER_MS);
    expect(() => timerMs(3e9, 'publishTimeoutMs')).toThrow(ValidationError);
    expect(() => timerMs(3e9, 'publishTimeoutMs')).toThrow(/publishTimeoutMs/);
  });

  it('readBool accepts the usual spellings', () => {
    for (const v of ['true', 'TRUE', '1', 'yes', 'on']) expect(readBool({ B: v }, 'B', false)).toBe(true);
    for (const v of ['false', '0', 'no', 'Off']) expect(readBool({ B: v }, 'B', true)).toBe(false);
  });

  it('readEnum names the allowed values', () => {
    expect(configError(() => readEnum({ E: 'c' }, 'E', ['a', 'b'], 'a')).message).toMatch(/one of a, b/);
  });
});

describe('readUrl', () => {
  it('returns a URL of an allowed scheme as given, undefined when unset', () => {
    expect(readUrl({ U: 'amqps://u:p@h:5671/v' }, 'U', ['amqp', 'amqps'])).toBe('amqps://u:p@h:5671/v');
    expect(readUrl({ U: '' }, 'U', ['amqp'])).toBeUndefined();
  });

  it.each(['http://u:s3cret@h', 'not a url', 'amqp://', 'amqp://u:%E0%A4%A@h'])('%j is a ConfigError naming the variable', (value) => {
    const error = configError(() => readUrl({ U: value }, 'U', ['amqp', 'amqps']));
    expect(error.variable).toBe('U');
    expect(error.message).toMatch(/must be an amqp:\/\/ or amqps:\/\/ URL/);
    expect(error.message).not.toContain('s3cret');
  });
});

describe('parseServerUrl', () => {
  it('takes a URL apart, decoding the credentials and the path', () => {
    // Given / When
    const url = parseServerUrl('amqps://us%40er:p%2Fw@[::1]:5673/%2Fprod?heartbeat=5', 'url', ['amqp', 'amqps']);
    // Then
    expect(url).toMatchObject({ protocol: 'amqps', host: '::1', port: 5673, username: 'us@er', password: 'p/w', path: '/prod' });
    expect(url.params.get('heartbeat')).toBe('5');
    expect(parseServerUrl('amqp://h', 'url', ['amqp'])).toEqual({ protocol: 'amqp', host: 'h', params: new URLSearchParams() });
  });

  it.each([undefined, 42, 'http://h', 'amqp://u:%zz@h', '://'])('%j is a ValidationError naming the field, never echoing the value', (value) => {
    let thrown: unknown;
    try {
      parseServerUrl(value, 'urls[1]', ['amqp', 'amqps'], 'amqp://user:pass@host:5672/vhost');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).field).toBe('urls[1]');
    expect((thrown as Error).message).toBe('urls[1]: must be an amqp:// or amqps:// URL (amqp://user:pass@host:5672/vhost)');
  });

  it('formats it back, with the credentials only when a username is given', () => {
    expect(formatServerUrl({ protocol: 'amqp', host: '::1', port: 5672, path: '/' })).toBe('amqp://[::1]:5672/%2F');
    expect(formatServerUrl({ protocol: 'amqps', host: 'h', port: 5671, username: 'a@b', password: 'c/d', path: 'v' })).toBe(
      'amqps://a%40b:c%2Fd@h:5671/v',
    );
  });
});
