import { createDomainEvent, type DomainEvent } from '@herald/core';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { CapturingLogger } from '../../../../tooling/test-support/logs.js';
import { TcpProxy } from '../../../../tooling/test-support/tcp-proxy.js';
import { RedisPubSubEventBus, type RedisPubSubEventBusOptions } from '../../src/index.js';
import { adminClient, deleteKeys, REDIS_URL, unique } from './redis.js';

/**
 * Registers the hooks of a describe block whose tests build buses with a
 * capturing logger and proxies in front of Redis: each is closed (and its keys
 * deleted) after its test. Call it inside `describe`.
 */
export function useLoggedBuses() {
  let admin: Redis | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(() => {
    admin = adminClient();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });
  afterAll(async () => {
    await admin?.quit();
  });

  return {
    /** The test's own client (inject, inspect, kill). */
    admin: (): Redis => admin!,
    makeBus(label: string, options: Partial<RedisPubSubEventBusOptions> = {}) {
      const names = unique(label);
      const logger = new CapturingLogger();
      const bus = new RedisPubSubEventBus({ redis: REDIS_URL, ...names, logger, ...options });
      cleanups.push(async () => {
        await bus.close();
        await deleteKeys(admin!, names.prefix);
      });
      return { bus, logger, names };
    },
    async startProxy(): Promise<TcpProxy> {
      const proxy = new TcpProxy(6379);
      await proxy.start();
      cleanups.push(() => proxy.stop());
      return proxy;
    },
  };
}

/** An event numbered `seq` (in `data.seq`), for tests that follow order or count. */
export function seqEvent(type: string, seq = 0): DomainEvent<{ seq: number }> {
  return createDomainEvent({
    type,
    aggregateId: 'agg',
    aggregateType: 'Test',
    data: { seq },
    metadata: { source: 'redis-pubsub-test', environment: 'test' },
  });
}
