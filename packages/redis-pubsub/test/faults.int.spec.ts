import { isHeraldError, PublishError, type BaseEvent, type DomainEvent } from '@herald/core';
import type { Redis } from 'ioredis';
import { beforeEach, describe, expect, it } from 'vitest';
import { RedisConnectionError } from '../src/index.js';
import { clientsNamed, killClients } from './support/redis.js';
import { seqEvent, useLoggedBuses } from './support/logged-buses.js';
import { until } from '../../../tooling/test-support/wait.js';

const event = seqEvent;

const seqOf = (e: BaseEvent) => (e as DomainEvent<{ seq: number }>).data.seq;

describe('RedisPubSubEventBus under faults', () => {
  const { admin: adminOf, makeBus, startProxy } = useLoggedBuses();
  let admin: Redis;
  beforeEach(() => {
    admin = adminOf();
  });

  it('restores its subscriptions after CLIENT KILL of its pub/sub connection mid-stream', async () => {
    // Given a bus with three subscriptions (four globs), receiving a steady stream
    const { bus, logger, names } = makeBus('kill-sub', { redis: 'redis://127.0.0.1:6379' });
    const states: string[] = [];
    bus.on('connection', (c) => states.push(c.state));
    const got: number[] = [];
    await bus.subscribe('stream.tick', (e) => {
      got.push(seqOf(e));
    });
    await bus.subscribe('stream.#', () => {});
    await bus.subscribe('other.*', () => {});
    const subscriber = `${names.connectionName}:subscriber`;
    const globsBefore = (await clientsNamed(admin, subscriber))[0]!.psub;
    let seq = 0;
    let publishing = true;
    const failures: unknown[] = [];
    const stream = (async () => {
      while (publishing) {
        await bus.publish(event('stream.tick', seq++)).catch((e: unknown) => failures.push(e));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await until(() => got.length >= 20, 'the stream to flow');

    // When Redis kills the bus's pub/sub connection (only this bus's: CLIENT KILL ID of its named connection)
    // (Only state changes from the kill on count: the initial connect may report 'connected' too.)
    const killedAt = states.length;
    expect(await killClients(admin, subscriber, 'pubsub')).toBe(1);

    // Then the bus reconnects, PSUBSCRIBEs every glob again, and events published after that arrive
    await until(() => {
      const after = states.slice(killedAt);
      const reconnecting = after.indexOf('reconnecting');
      return reconnecting >= 0 && after.indexOf('connected', reconnecting) > reconnecting;
    }, 'connected again after reconnecting');
    const resumedAt = seq;
    await until(() => got.some((s) => s > resumedAt + 10), 'events published after the reconnection');
    publishing = false;
    await stream;
    expect((await clientsNamed(admin, subscriber))[0]!.psub).toBe(globsBefore);
    expect(failures, 'publishes on the untouched publisher connection').toEqual([]);
    // Delivery stays in order; what was published while disconnected is lost (at-most-once)
    expect(got).toEqual([...got].sort((a, b) => a - b));
    expect(states).toContain('reconnecting');
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.includes('reconnecting'))).toBe(true);
  });

  it('settles every publish in flight when its publishing connection is killed, then publishes again', async () => {
    const { bus, names } = makeBus('kill-pub', { redis: 'redis://127.0.0.1:6379' });
    const got = new Set<string>();
    await bus.subscribe('kp.e', (e) => {
      got.add(e.id);
    });

    // When 2,000 publishes are under way and the publishing connection is killed
    const events = Array.from({ length: 2_000 }, (_, i) => event('kp.e', i));
    const outcomes = events.map((e) => bus.publish(e).then(() => 'ok' as const, (error: unknown) => error));
    await killClients(admin, `${names.connectionName}:publisher`);
    const results = await Promise.all(outcomes);

    // Then each one resolved or was rejected with PublishError — none hangs
    for (const r of results) if (r !== 'ok') expect(isHeraldError(r, 'PUBLISH'), String(r)).toBe(true);

    // And the bus publishes again after reconnecting
    const after = event('kp.e', -1);
    await until(async () => {
      await bus.publish(after).catch(() => undefined);
      return got.has(after.id);
    }, 'a publish after the reconnection');
  });

  it('rejects a publish with PublishError within publishTimeoutMs while Redis is unreachable', async () => {
    // Given a connected bus behind a proxy, with a short bound
    const proxy = await startProxy();
    const { bus } = makeBus('unreachable', { redis: `redis://${proxy.address}`, publishTimeoutMs: 300 });
    await bus.connect();

    // When Redis becomes unreachable
    await proxy.stop();
    const error = await bus.publish(event('down.e')).then(() => undefined, (e: unknown) => e);

    // Then the publish is rejected with PublishError by the configured bound (not hanging, not queued for later)
    // (judged by what ended the wait, not by a wall-clock reading on a loaded machine)
    expect(error).toBeInstanceOf(PublishError);
    expect((error as PublishError).eventType).toBe('down.e');
    // Settled either by the bound (the message names it) or at once by the dropped connection
    expect((error as Error).message).toMatch(/within 300 ms|may or may not have been published/);

    // And once Redis is back the bus recovers by itself
    await proxy.start();
    await until(async () => bus.publish(event('down.e')).then(() => true, () => false), 'a publish after Redis came back');
  });

  it('rejects a publish within the bound when Redis accepts bytes but never answers', async () => {
    const proxy = await startProxy();
    const { bus } = makeBus('hung', { redis: `redis://${proxy.address}`, publishTimeoutMs: 300 });
    await bus.connect();
    proxy.blackhole();
    const error = await bus.publish(event('hung.e')).then(() => undefined, (e: unknown) => e);
    // Rejected by the 300 ms bound (the message names it), not left hanging
    expect(error).toBeInstanceOf(PublishError);
    expect((error as Error).message).toMatch(/no reply within/);
    expect((error as Error).message).toMatch(/within 300 ms/);
    const sub = await bus.subscribe('hung.e', () => {}).then(() => undefined, (e: unknown) => e);
    expect(sub).toBeInstanceOf(RedisConnectionError);
    proxy.blackhole(false);
  });

  it('rejects publishes in flight as soon as the connection drops, without resending them', async () => {
    const proxy = await startProxy();
    // A bound far beyond the test's own timeout: only the dropped connection can settle the publish in time
    const { bus } = makeBus('dropped', { redis: `redis://${proxy.address}`, publishTimeoutMs: 600_000 });
    await bus.connect();
    proxy.blackhole();
    let sent = false;
    proxy.onSwallowed = () => {
      sent = true;
    };
    const pending = bus.publish(event('drop.e')).then(() => undefined, (e: unknown) => e);
    await until(() => sent, 'the publish on the wire');
    proxy.dropAll();
    const error = await pending;
    // Rejected because the connection dropped (the message says so), not by the timeout
    expect(error).toBeInstanceOf(PublishError);
    expect((error as Error).message).toContain('may or may not have been published');
  });

  it('connect() fails fast when Redis cannot be reached', async () => {
    // Given a bus pointed at a port nothing listens on
    const proxy = await startProxy();
    const url = `redis://${proxy.address}`;
    await proxy.stop();
    // (a bound far beyond the test's own timeout: only failing fast settles connect() in time)
    const { bus, logger } = makeBus('refused', { redis: url, connectTimeoutMs: 600_000 });

    // When connecting
    const error = await bus.connect().then(() => undefined, (e: unknown) => e);

    // Then it is rejected on the connection error itself (reason 'error', not 'timeout'), naming the endpoint
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect(isHeraldError(error, 'CONNECTION'), String(error)).toBe(true);
    expect((error as Error).name).toBe('RedisConnectionError');
    expect((error as RedisConnectionError).reason).toBe('error');
    expect((error as Error).message).toContain(`127.0.0.1:${proxy.port}`);
    expect(logger.lines.some((l) => l.level === 'warn')).toBe(true);
  });

  it('publishes once Redis is reachable after a connect() that failed (no lingering closed state)', async () => {
    // Given a bus whose first connect() failed because nothing listened
    const proxy = await startProxy();
    await proxy.stop();
    const { bus } = makeBus('late-server', { redis: `redis://${proxy.address}`, publishTimeoutMs: 5_000 });
    await expect(bus.connect()).rejects.toBeInstanceOf(RedisConnectionError);

    // When Redis becomes reachable and the application publishes right away
    await proxy.start();
    const outcome = await bus.publish(event('late.e')).then(() => 'published', (e: unknown) => String(e));

    // Then the publish goes through: the stopped attempt's end does not fail the new wait
    expect(outcome).toBe('published');
  });

  it('rejects a dead-letter read with RedisConnectionError (code CONNECTION) when Redis never answers', async () => {
    // Given a connected bus whose Redis accepts bytes but never answers
    const proxy = await startProxy();
    const { bus } = makeBus('dl-hung', { redis: `redis://${proxy.address}`, publishTimeoutMs: 300 });
    await bus.connect();
    proxy.blackhole();

    // When the dead letters are read
    const error = await bus.deadLetters.list().then(() => undefined, (e: unknown) => e);

    // Then the failure is a HeraldError naming the bound, not a plain Error
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect(isHeraldError(error, 'CONNECTION'), String(error)).toBe(true);
    expect((error as RedisConnectionError).reason).toBe('timeout');
    expect((error as Error).message).toMatch(/dead-letter command failed \(timeout\).*within 300 ms/);
    proxy.blackhole(false);
  });

  it('bounds connect() by connectTimeoutMs, not publishTimeoutMs', async () => {
    // Given a Redis that accepts the connection and never answers, a long publish bound and a short connect bound
    const proxy = await startProxy();
    proxy.blackhole();
    const { bus } = makeBus('connect-bound', { redis: `redis://${proxy.address}`, connectTimeoutMs: 300, publishTimeoutMs: 600_000 });

    // When connecting
    const error = await bus.connect().then(() => undefined, (e: unknown) => e);

    // Then connect() gave up by its own bound (the message names it)
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect((error as RedisConnectionError).reason).toBe('timeout');
    expect((error as Error).message).toContain('within 300 ms');
    proxy.blackhole(false);
  });
});
