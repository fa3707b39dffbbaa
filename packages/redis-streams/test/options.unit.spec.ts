import { createDomainEvent, isHeraldError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { KeyLayout, RedisStreamsEventBus, redisStreamsOptionsFromEnv } from '../src/index.js';

// No server needed: buses connect lazily and are closed before they ever do.
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('RedisStreamsEventBus options', () => {
  it('validates its options synchronously, naming the bad one', () => {
    const redis = 'redis://127.0.0.1:6389';
    for (const [options, field] of [
      [{ redis, partitions: 0 }, 'partitions'],
      [{ redis, maxLen: 1.5 }, 'maxLen'],
      [{ redis, claimIdleMs: -1 }, 'claimIdleMs'],
      [{ redis, prefix: 'app:{x}:' }, 'prefix'],
      [{ redis, connectionName: 'has space' }, 'connectionName'],
      [{ redis, connectTimeoutMs: 0 }, 'connectTimeoutMs'],
      [{ redis, readAhead: 0 }, 'readAhead'],
      [{ redis, prefetch: 0 }, 'prefetch'],
      [{ redis, readAhead: 5, prefetch: 6 }, 'prefetch'],
      [{ redis: 'http://x' }, 'redis'],
    ] as const) {
      const error = thrown(() => new RedisStreamsEventBus(options as never));
      expect(isHeraldError(error, 'VALIDATION'), `${field}: ${String(error)}`).toBe(true);
      expect((error as { field: string }).field).toBe(field);
    }
  });

  it('reads the connection and stream settings from the environment, and names a bad variable', () => {
    const options = redisStreamsOptionsFromEnv({
      REDIS_EVENT_STORE_HOST: 'redis.internal',
      REDIS_EVENT_STORE_PORT: '6390',
      REDIS_EVENT_STORE_PASSWORD: 's3cret',
      REDIS_STREAMS_PREFIX: 'app:',
      REDIS_STREAMS_PARTITIONS: '4',
      REDIS_STREAMS_MAX_LEN: '100000',
      REDIS_STREAMS_CLAIM_IDLE_MS: '30000',
    });
    expect(options).toEqual({
      redis: { host: 'redis.internal', port: 6390, db: 0, password: 's3cret' },
      prefix: 'app:',
      partitions: 4,
      maxLen: 100_000,
      claimIdleMs: 30_000,
    });
    const error = thrown(() => redisStreamsOptionsFromEnv({ REDIS_STREAMS_PARTITIONS: 'many', REDIS_EVENT_STORE_PASSWORD: 's3cret' }));
    expect(isHeraldError(error, 'CONFIG')).toBe(true);
    expect((error as { variable: string }).variable).toBe('REDIS_STREAMS_PARTITIONS');
    expect(String(error)).not.toContain('s3cret');
  });

  it('refuses a prefix with a hash-tag brace with ConfigError naming REDIS_STREAMS_PREFIX, as the constructor would', () => {
    const error = thrown(() => redisStreamsOptionsFromEnv({ REDIS_STREAMS_PREFIX: 'a{b}' }));
    expect(isHeraldError(error, 'CONFIG')).toBe(true);
    expect((error as { variable: string }).variable).toBe('REDIS_STREAMS_PREFIX');
    expect((error as Error).message).toMatch(/must not contain \{ or \}/);
  });
});

describe('KeyLayout', () => {
  it('gives every partition its own hash tag and keeps the dead-letter keys in one slot', () => {
    const keys = new KeyLayout('app:', 3);
    expect(keys.streams).toEqual(['app:stream:{app:0}', 'app:stream:{app:1}', 'app:stream:{app:2}']);
    expect(keys.deadLetterPrefix).toBe('app:{app:dl}:');
  });

  it('sends every event of one aggregate to the same partition, and spreads aggregates', () => {
    const keys = new KeyLayout('app:', 4);
    const event = (aggregateId: string) =>
      createDomainEvent({ type: 'a.b', aggregateId, aggregateType: 'A', data: {}, metadata: { source: 's', environment: 'e' } });
    expect(keys.streamOf(event('player-1'))).toBe(keys.streamOf(event('player-1')));
    const used = new Set(Array.from({ length: 40 }, (_, i) => keys.streamOf(event(`player-${i}`))));
    expect(used.size).toBe(4);
  });
});

describe('RedisStreamsEventBus option names', () => {
  it('reads readAhead, or the deprecated prefetch with the same meaning; connect() has its own bound', async () => {
    const { resolveOptions } = await import('../src/options.js');
    const redis = 'redis://127.0.0.1:6389';
    expect(resolveOptions({ redis })).toMatchObject({ readAhead: 10, connectTimeoutMs: 5_000, publishTimeoutMs: 5_000 });
    expect(resolveOptions({ redis, readAhead: 4 }).readAhead).toBe(4);
    expect(resolveOptions({ redis, prefetch: 7 }).readAhead).toBe(7);
    expect(resolveOptions({ redis, connectTimeoutMs: 300 }).connectTimeoutMs).toBe(300);
  });
});
