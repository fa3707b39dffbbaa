import type { EventBus } from '@herald/core';
import { RedisInbox } from '@herald/redis-store';
import { describeEventBusConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { afterAll } from 'vitest';
import { RedisPubSubEventBus } from '../src/index.js';
import { redisInboxFactory } from '../../../tooling/test-support/redis-inbox.js';
import { adminClient, deleteKeys, killClients, REDIS_URL, unique } from './support/redis.js';

// The conformance suite against the real Redis, with every malformed-message
// case (injectRaw) and the killed-connection fault. The server-restart fault
// runs in redis-restart.int.spec.ts, alone.
const admin = adminClient();
const names = new WeakMap<EventBus, { prefix: string; connectionName: string }>();
const prefixes: string[] = [];

describeEventBusConformance(vitestRunner, {
  name: 'RedisPubSubEventBus',
  create: () => {
    const n = unique('conformance');
    const bus = new RedisPubSubEventBus({ redis: REDIS_URL, ...n });
    names.set(bus, n);
    prefixes.push(n.prefix);
    return bus;
  },
  inboxes: {
    RedisInbox: redisInboxFactory((prefix) => new RedisInbox({ redis: REDIS_URL, prefix }), adminClient, 'pubsub'),
  },
  injectRaw: async (bus, type, raw) => {
    await admin.publish(`${names.get(bus)!.prefix}${type}`, typeof raw === 'string' ? raw : Buffer.from(raw));
  },
  faults: {
    // Only this bus's own connections (other suites share the server): CLIENT KILL ID by name.
    killConnections: async (bus) => {
      const killed = await killClients(admin, `${names.get(bus)!.connectionName}:`);
      if (killed === 0) throw new Error('no connection of the bus was found to kill');
    },
  },
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(admin, prefix);
  await admin.quit();
});
