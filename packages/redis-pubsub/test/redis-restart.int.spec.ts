import { createDomainEvent, PublishError, type DomainEvent, type EventBus } from '@herald/core';
import { describeEventBusConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisPubSubEventBus } from '../src/index.js';
import { CapturingLogger } from '../../../tooling/test-support/logs.js';
import { adminClient, clientsNamed, deleteKeys, REDIS_URL, unique } from './support/redis.js';
import { restartRedis, startRedis, stopRedis } from './support/redis-server.js';
import { until } from '../../../tooling/test-support/wait.js';

// Restarts the shared Redis (SHUTDOWN NOSAVE, then the start command of
// tooling/scripts/services.sh). Every connection on the server drops for about
// a second, other suites' too: this file holds every restart, and the package
// runs its test files one at a time.

function event(type: string, seq: number): DomainEvent {
  return createDomainEvent({ type, aggregateId: 'a', aggregateType: 'Restart', data: { seq }, metadata: { source: 's', environment: 'e' } });
}

describe('RedisPubSubEventBus across a Redis restart', () => {
  afterAll(async () => {
    await startRedis(); // whatever happened, leave Redis running
  });

  it('reports the outage, rejects publishes within the bound meanwhile, and restores its subscriptions', async () => {
    // Given a bus with two subscriptions, receiving events
    const names = unique('restart');
    const logger = new CapturingLogger();
    const bus = new RedisPubSubEventBus({ redis: REDIS_URL, ...names, logger, publishTimeoutMs: 500 });
    const states: string[] = [];
    bus.on('connection', (c) => states.push(c.state));
    const got: number[] = [];
    await bus.subscribe('restart.tick', (e) => {
      got.push((e as DomainEvent<{ seq: number }>).data.seq);
    });
    await bus.subscribe('restart.#', () => {});
    await bus.publish(event('restart.tick', 0));
    await until(() => got.includes(0), 'the first event');

    try {
      // When Redis stops
      await stopRedis();
      await until(() => states.includes('reconnecting'), 'the bus to notice the outage');

      // Then a publish is rejected within the bound instead of hanging or being queued
      const started = performance.now();
      const error = await bus.publish(event('restart.tick', 1)).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(PublishError);
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      // And when it is back
      await startRedis();
    }

    // Then the bus reconnects by itself, resubscribes both patterns' globs, and delivers again
    await until(() => states.lastIndexOf('connected') > states.indexOf('reconnecting'), 'connected again', 15_000);
    const admin = adminClient();
    try {
      await until(async () => (await clientsNamed(admin, `${names.connectionName}:subscriber`))[0]?.psub === 3, 'the globs to be resubscribed');
      await until(async () => {
        await bus.publish(event('restart.tick', 2)).catch(() => undefined);
        return got.includes(2);
      }, 'an event after the restart');
      expect(got).not.toContain(1);
      expect(states).toEqual(expect.arrayContaining(['connecting', 'connected', 'disconnected', 'reconnecting']));
      expect(logger.lines.some((l) => l.level === 'warn' && /connection error|reconnecting/.test(l.message))).toBe(true);
      await bus.close();
      await deleteKeys(admin, names.prefix);
    } finally {
      await admin.quit();
    }
  }, 60_000);
});

// The conformance suite's server-restart fault case (its other cases run in conformance.int.spec.ts).
const prefixes: string[] = [];
describeEventBusConformance(vitestRunner, {
  name: 'RedisPubSubEventBus (restart)',
  only: ['faults'],
  create: (): EventBus => {
    const n = unique('conformance-restart');
    prefixes.push(n.prefix);
    return new RedisPubSubEventBus({ redis: REDIS_URL, ...n });
  },
  faults: { restartServer: restartRedis },
});

afterAll(async () => {
  await startRedis();
  const admin = adminClient();
  for (const p of prefixes) await deleteKeys(admin, p);
  await admin.quit();
});
