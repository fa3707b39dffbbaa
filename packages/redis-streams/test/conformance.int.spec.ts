import type { EventBus } from '@herald/core';
import { RedisInbox } from '@herald/redis-store';
import { describeEventBusConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { afterAll } from 'vitest';
import { RedisStreamsEventBus } from '../src/index.js';
import { redisInboxFactory } from '../../../tooling/test-support/redis-inbox.js';
import { adminClient, deleteKeys, killClients, REDIS_URL, unique } from './support/redis.js';

// The conformance suite against the real Redis: consumer groups, dead letters, every
// malformed entry (a raw XADD) and the killed-connection fault. The server-restart
// fault runs in redis-restart.int.spec.ts on a private server.
const admin = adminClient();
const names = new WeakMap<RedisStreamsEventBus, { prefix: string; connectionName: string }>();
const prefixes: string[] = [];

describeEventBusConformance(vitestRunner, {
  name: 'RedisStreamsEventBus',
  create: () => {
    const n = unique('conformance');
    const bus = new RedisStreamsEventBus({ redis: REDIS_URL, ...n, blockMs: 500, claimIdleMs: 5_000 });
    names.set(bus, n);
    prefixes.push(n.prefix);
    return bus;
  },
  inboxes: {
    RedisInbox: redisInboxFactory((prefix) => new RedisInbox({ redis: REDIS_URL, prefix }), adminClient, 'streams'),
  },
  injectRaw: async (bus: EventBus, _type, raw) => {
    const streams = (bus as RedisStreamsEventBus).streams;
    await admin.xadd(streams[0]!, '*', 'e', typeof raw === 'string' ? raw : Buffer.from(raw));
  },
  faults: {
    // Only this bus's own connections (the server is shared): CLIENT KILL ID by name.
    killConnections: async (bus) => {
      const killed = await killClients(admin, `${names.get(bus as RedisStreamsEventBus)!.connectionName}:`);
      if (killed === 0) throw new Error('no connection of the bus was found to kill');
    },
  },
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(admin, prefix);
  await admin.quit();
});
