import { Redis, type RedisOptions } from 'ioredis';
import { expect, inject, it } from 'vitest';

/** The local test Redis; REDIS_EVENT_STORE_HOST/PORT move it. */
export const redisOptions: RedisOptions = {
  host: process.env.REDIS_EVENT_STORE_HOST ?? '127.0.0.1',
  port: Number(process.env.REDIS_EVENT_STORE_PORT ?? 6379),
};

/** A prefix no other test (here or in another package sharing this Redis) uses. */
export function uniquePrefix(label = 't'): string {
  return `herald-test:${label}:${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}:`;
}

/** Deletes every key under `prefix` with SCAN (never KEYS, never FLUSH*: the Redis is shared). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Every key under `prefix`, by SCAN. */
export async function listKeys(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
}

/** How many KEYS commands the server has run since its stats were last reset. */
export async function keysCommandCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  const match = /^cmdstat_keys:calls=(\d+)/m.exec(info);
  return match ? Number(match[1]) : 0;
}

/**
 * Registers, as the last case of a file, the check that no KEYS command ran
 * since the package's test run began (the global setup recorded the count).
 */
export function itIssuedNoKeysCommand(): void {
  it('ran no KEYS command since the suite started (INFO commandstats)', async () => {
    // Given the count of KEYS calls when the suite started
    const atStart = inject('keysCallsAtStart');
    const redis = new Redis(redisOptions);
    try {
      // When the count is read now
      const now = await keysCommandCalls(redis);

      // Then it has not moved
      expect(now).toBe(atStart);
    } finally {
      redis.disconnect();
    }
  });
}

declare module 'vitest' {
  export interface ProvidedContext {
    keysCallsAtStart: number;
  }
}
