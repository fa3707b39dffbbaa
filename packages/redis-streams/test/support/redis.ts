import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export { deleteKeys, listKeys } from '../../../../tooling/test-support/redis-keys.js';
export { clientsNamed, killClients } from '../../../../tooling/test-support/redis-clients.js';
export { until } from '../../../../tooling/test-support/wait.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix and connection name no other test (or helper) uses. */
export function unique(label: string): { prefix: string; connectionName: string } {
  const id = randomUUID().slice(0, 8);
  return { prefix: `herald-test:streams:${label}:${id}:`, connectionName: `herald-test-streams-${label}-${id}` };
}

/** A plain client for the test's own commands (inject, inspect, kill); closed by the caller. */
export function adminClient(url = REDIS_URL): Redis {
  return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
}
