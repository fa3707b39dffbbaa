import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeys } from '../../../../tooling/test-support/redis-keys.js';
import { RedisPubSubEventBus, type RedisPubSubEventBusOptions } from '../../src/index.js';

export { deleteKeys } from '../../../../tooling/test-support/redis-keys.js';
export { clientsNamed, killClients } from '../../../../tooling/test-support/redis-clients.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix and connection name no other test (or engineer) uses. */
export function unique(label: string): { prefix: string; connectionName: string } {
  const id = randomUUID().slice(0, 8);
  return { prefix: `herald-test:${label}:${id}:`, connectionName: `herald-test-${label}-${id}` };
}

/** A plain client for the test's own commands (inject, inspect, kill); closed by the caller. */
export function adminClient(): Redis {
  return new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 3 });
}

/** Buses built by a test, closed and their keys removed after it. */
export class BusFactory {
  private readonly buses: RedisPubSubEventBus[] = [];
  private readonly prefixes: string[] = [];

  create(label: string, options: Partial<RedisPubSubEventBusOptions> = {}): RedisPubSubEventBus {
    const names = unique(label);
    const bus = new RedisPubSubEventBus({ redis: REDIS_URL, ...names, ...options });
    this.buses.push(bus);
    this.prefixes.push(bus.prefix);
    return bus;
  }

  async cleanup(admin: Redis): Promise<void> {
    await Promise.allSettled(this.buses.splice(0).map((b) => b.close()));
    for (const prefix of this.prefixes.splice(0)) await deleteKeys(admin, prefix);
  }
}
