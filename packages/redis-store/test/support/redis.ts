import { Redis, type RedisOptions } from 'ioredis';
import { expect, inject, it } from 'vitest';

export { deleteKeys, listKeys } from '../../../../tooling/test-support/redis-keys.js';

/** The local test Redis; REDIS_EVENT_STORE_HOST/PORT move it. */
export const redisOptions: RedisOptions = {
  host: process.env.REDIS_EVENT_STORE_HOST ?? '127.0.0.1',
  port: Number(process.env.REDIS_EVENT_STORE_PORT ?? 6379),
};

/** A prefix no other test (here or in another package sharing this Redis) uses. */
export function uniquePrefix(label = 't'): string {
  return `herald-test:${label}:${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}:`;
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
