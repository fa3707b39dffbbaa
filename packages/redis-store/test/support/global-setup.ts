import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { keysCommandCalls, redisOptions } from './redis.js';

/** Records the server's KEYS call count before any test runs, for itIssuedNoKeysCommand. */
export default async function setup(project: TestProject): Promise<void> {
  const redis = new Redis({ ...redisOptions, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    project.provide('keysCallsAtStart', await keysCommandCalls(redis));
  } catch (error) {
    throw new Error(`redis-store tests need Redis at ${redisOptions.host}:${redisOptions.port} (bash tooling/scripts/services.sh): ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
