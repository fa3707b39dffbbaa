import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { createDomainEvent, type ConnectionStateChange } from '@herald/core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisConnectionError, RedisPubSubEventBus } from '../src/index.js';
import { CapturingLogger } from '../../../tooling/test-support/logs.js';
import { adminClient, deleteKeys, unique } from './support/redis.js';
import { until } from '../../../tooling/test-support/wait.js';

/** Everything a failure could leak through: messages, stacks, own properties, causes. */
function everything(value: unknown): string {
  return `${inspect(value, { depth: 10, showHidden: true })}\n${JSON.stringify(value, Object.getOwnPropertyNames(value ?? {}))}`;
}

describe('RedisPubSubEventBus credentials', () => {
  let admin: Redis;
  const user = `herald-test-${randomUUID().slice(0, 8)}`;
  const password = `pw-${randomUUID()}`;
  const wrong = `wrong-${randomUUID()}`;

  beforeAll(async () => {
    // A temporary ACL user with a password (removed after the suite)
    admin = adminClient();
    await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~herald-test:*', '&*', '+@all');
  });
  afterAll(async () => {
    await admin.call('ACL', 'DELUSER', user);
    await admin.quit();
  });

  it('never puts a wrong password in an error, a state change or a log line', async () => {
    // Given a bus with the wrong password, as options and as a URL
    for (const redis of [
      { host: '127.0.0.1', port: 6379, username: user, password: wrong },
      `redis://${user}:${encodeURIComponent(wrong)}@127.0.0.1:6379`,
    ]) {
      const logger = new CapturingLogger();
      const names = unique('wrongpass');
      const bus = new RedisPubSubEventBus({ redis, ...names, logger, publishTimeoutMs: 1_000 });
      const changes: ConnectionStateChange[] = [];
      bus.on('connection', (c) => changes.push(c));

      // When it connects, publishes and subscribes
      const connectError = await bus.connect().then(() => undefined, (e: unknown) => e);
      const publishError = await bus
        .publish(createDomainEvent({ type: 'cred.e', aggregateId: 'a', aggregateType: 'A', data: {}, metadata: { source: 's', environment: 'e' } }))
        .then(() => undefined, (e: unknown) => e);
      const subscribeError = await bus.subscribe('cred.e', () => {}).then(() => undefined, (e: unknown) => e);
      await bus.close();

      // Then each is refused, and the password appears nowhere
      expect(connectError).toBeInstanceOf(RedisConnectionError);
      expect((connectError as Error).message).toMatch(/WRONGPASS|invalid username-password/);
      expect(publishError).toBeDefined();
      expect(subscribeError).toBeDefined();
      const seen = [connectError, publishError, subscribeError, ...changes].map(everything).join('\n') + logger.text();
      expect(seen).not.toContain(wrong);
      expect(seen).not.toContain(encodeURIComponent(wrong));
      expect(seen).not.toContain(password);
      expect(logger.lines.length).toBeGreaterThan(0);
      await deleteKeys(admin, names.prefix);
    }
  });

  it('publishes batches and keeps dead letters for a user without @scripting (no Lua)', async () => {
    // Given an ACL user who may publish and use keys, but not run scripts
    const scriptless = `${user}-noscript`;
    await admin.call('ACL', 'SETUSER', scriptless, 'on', `>${password}`, '~herald-test:*', '&*', '+@all', '-@scripting');
    const names = unique('noscript');
    const bus = new RedisPubSubEventBus({ redis: { host: '127.0.0.1', port: 6379, username: scriptless, password }, ...names });
    try {
      const got: number[] = [];
      await bus.subscribe('ns.item', {
        handle(e) {
          const seq = (e as unknown as { data: { seq: number } }).data.seq;
          if (seq === 2) throw new Error('fails');
          got.push(seq);
        },
        retryStrategy: { maxAttempts: 1, backoff: { type: 'fixed', delay: 0 } },
      });
      const batch = [0, 1, 2, 3].map((seq) =>
        createDomainEvent({ type: 'ns.item', aggregateId: 'a', aggregateType: 'A', data: { seq }, metadata: { source: 's', environment: 'e' } }),
      );

      // When a batch is published and one event fails
      await bus.publishAll(batch);

      // Then the batch arrives in order and the failure is a dead letter
      await until(() => got.length === 3, 'the batch');
      expect(got).toEqual([0, 1, 3]);
      const [record] = await until(async () => {
        const list = await bus.deadLetters.list();
        return list.length > 0 ? list : undefined;
      }, 'the dead letter');
      expect(record!.event?.id).toBe(batch[2]!.id);
    } finally {
      await bus.close();
      await deleteKeys(admin, names.prefix);
      await admin.call('ACL', 'DELUSER', scriptless);
    }
  });

  it('works with the right password, and never logs it', async () => {
    const logger = new CapturingLogger();
    const names = unique('rightpass');
    const bus = new RedisPubSubEventBus({ redis: { host: '127.0.0.1', port: 6379, username: user, password }, ...names, logger });
    const got: string[] = [];
    await bus.subscribe('cred.ok', (e) => {
      got.push(e.id);
    });
    const sent = createDomainEvent({ type: 'cred.ok', aggregateId: 'a', aggregateType: 'A', data: {}, metadata: { source: 's', environment: 'e' } });
    await bus.publish(sent);
    await until(() => got.includes(sent.id), 'the event');
    await bus.close();
    expect(logger.text()).not.toContain(password);
    await deleteKeys(admin, names.prefix);
  });
});
