import type { EventBus } from '@herald/core';
import { RedisInbox } from '@herald/redis-store';
import { describeEventBusConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { redisInboxFactory } from '../../../tooling/test-support/redis-inbox.js';
import type { RabbitMQEventBus } from '../src/index.js';
import { BusFactory, closeConnectionsNamed, rawInjector } from './helpers.js';

// The shared event-bus contract, against the real broker, with every capability on.
// Each case gets a bus under its own prefix (so its own exchange and queues); all of
// it is deleted after the suite. The connection fault closes only this bus's own
// connections (by connection_name), so other users of the broker are not disturbed;
// whole-broker faults live in broker-faults.int.spec.ts.
const buses = new BusFactory();
afterAll(() => buses.cleanup(), 120_000);

// The idempotent-consumer case also runs with a Redis inbox (the shared Redis of the other suites).
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeEventBusConformance(vitestRunner, {
  name: 'RabbitMQEventBus',
  create: () => buses.create('conf', { publishTimeoutMs: 5_000, closeTimeoutMs: 10_000 }),
  capabilities: { persistent: true, consumerGroups: true, redelivery: true, ordered: true, deadLetters: true },
  inboxes: {
    RedisInbox: redisInboxFactory((prefix) => new RedisInbox({ redis: REDIS_URL, prefix }), () => new Redis(REDIS_URL), 'rabbitmq'),
  },
  injectRaw: rawInjector(),
  faults: {
    killConnections: async (bus: EventBus) => {
      const prefix = (bus as RabbitMQEventBus).prefix;
      const closed = await closeConnectionsNamed(`herald-test:${prefix}`);
      if (closed === 0) throw new Error(`no connection named herald-test:${prefix}* to close`);
    },
  },
  timeoutMs: 15_000,
});
