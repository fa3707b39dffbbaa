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

/** Buses built by a test, closed and their keys removed after it. */
export class BusFactory {
  private readonly buses: Array<{ close(): Promise<void> }> = [];
  private readonly prefixes = new Set<string>();

  track<B extends { close(): Promise<void>; prefix: string }>(bus: B): B {
    this.buses.push(bus);
    this.prefixes.add(bus.prefix);
    return bus;
  }

  async cleanup(admin: Redis): Promise<void> {
    await Promise.allSettled(this.buses.splice(0).map((b) => b.close()));
    const { deleteKeys } = await import('../../../../tooling/test-support/redis-keys.js');
    for (const prefix of this.prefixes) await deleteKeys(admin, prefix);
    this.prefixes.clear();
  }
}
