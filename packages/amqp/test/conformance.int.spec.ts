import type { EventBus } from '@herald/core';
import { RedisInbox } from '@herald/redis-store';
import { describeEventBusConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { redisInboxFactory } from '../../../tooling/test-support/redis-inbox.js';
import type { AmqpEventBus } from '../src/index.js';
import { BusFactory, RawSender } from './helpers.js';

// The shared event-bus contract against RabbitMQ's AMQP 1.0 plugin, with the
// capabilities the bus declares there: no consumer groups (the group case checks the
// UnsupportedError) and no readable dead letters (dead-letters.int.spec.ts reads the
// queue itself), so those cases are skipped. Each bus has its own prefix and TCP proxy;
// the connection fault drops that proxy's connections only.
const buses = new BusFactory();
const raw = new RawSender();
afterAll(async () => {
  raw.close();
  await buses.cleanup();
}, 120_000);

// The idempotent-consumer case also runs with a Redis inbox (the shared Redis of the other suites).
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeEventBusConformance(vitestRunner, {
  name: 'AmqpEventBus (RabbitMQ AMQP 1.0)',
  create: () => buses.create('conf', { publishTimeoutMs: 5_000, closeTimeoutMs: 10_000 }),
  inboxes: {
    RedisInbox: redisInboxFactory((prefix) => new RedisInbox({ redis: REDIS_URL, prefix }), () => new Redis(REDIS_URL), 'amqp'),
  },
  injectRaw: async (bus: EventBus, type: string, bytes: Uint8Array | string) => {
    await raw.send((bus as AmqpEventBus).prefix + type, bytes);
  },
  faults: {
    killConnections: async (bus: EventBus) => {
      buses.proxyOf(bus as AmqpEventBus).dropAll();
    },
  },
  timeoutMs: 20_000,
  // One credit-1 link is one broker round trip per event, and RabbitMQ 3.10's AMQP 1.0
  // plugin converts every message to 0-9-1: 100–400 events/s on the shared CI machine.
  // 1,000 of the 10,000 bulk events keep that case within its bound.
  scale: 0.1,
});
