import { isHeraldError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/options.js';

const redis = 'redis://127.0.0.1:6391';

describe('RedisPubSubEventBus options', () => {
  it('bounds connect() by connectTimeoutMs and publishes by publishTimeoutMs, each with its own default', () => {
    expect(resolveOptions({ redis })).toMatchObject({ connectTimeoutMs: 5_000, publishTimeoutMs: 5_000 });
    expect(resolveOptions({ redis, connectTimeoutMs: 250, publishTimeoutMs: 900 })).toMatchObject({ connectTimeoutMs: 250, publishTimeoutMs: 900 });
  });

  it('reads maxBufferedEvents, or the deprecated highWaterMark with the same meaning', () => {
    expect(resolveOptions({ redis }).maxBufferedEvents).toBe(10_000);
    expect(resolveOptions({ redis, maxBufferedEvents: 10 }).maxBufferedEvents).toBe(10);
    expect(resolveOptions({ redis, highWaterMark: 12 }).maxBufferedEvents).toBe(12);
  });

  it.each([
    [{ redis, connectTimeoutMs: 0 }, 'connectTimeoutMs'],
    [{ redis, maxBufferedEvents: 1.5 }, 'maxBufferedEvents'],
    [{ redis, highWaterMark: 0 }, 'highWaterMark'],
    [{ redis, maxBufferedEvents: 10, highWaterMark: 20 }, 'highWaterMark'],
  ] as const)('rejects %o naming %s', (options, field) => {
    let error: unknown;
    try {
      resolveOptions(options);
    } catch (e) {
      error = e;
    }
    expect(isHeraldError(error, 'VALIDATION'), String(error)).toBe(true);
    expect((error as { field: string }).field).toBe(field);
  });
});
