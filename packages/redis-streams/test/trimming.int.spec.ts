import { createDomainEvent } from '@herald/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisStreamsEventBus } from '../src/index.js';
import { adminClient, BusFactory, REDIS_URL, unique, until } from './support/redis.js';

const admin = adminClient();
const buses = new BusFactory();
afterEach(() => buses.cleanup(admin));
afterAll(() => admin.quit());

const event = (seq: number) =>
  createDomainEvent({ type: 'streams.trim.item', aggregateId: 'a', aggregateType: 'T', data: { seq }, metadata: { source: 't', environment: 'test' } });

describe('RedisStreamsEventBus trimming (maxLen)', () => {
  it('never trims an entry a consumer group has not read and acknowledged, and trims once it has', async () => {
    // Given a group "slow" that exists but has no member running, and a bus with maxLen 100
    const names = unique('trim');
    const creator = buses.track(new RedisStreamsEventBus({ redis: REDIS_URL, ...names }));
    await creator.subscribe('streams.trim.#', () => {}, { group: 'slow' });
    await creator.close();
    const bus = buses.track(new RedisStreamsEventBus({ redis: REDIS_URL, ...names, maxLen: 100, blockMs: 200 }));
    const stream = bus.streams[0]!;

    // When 1,000 events are published (the bus trims as it goes) and a trim is forced
    for (let i = 0; i < 10; i++) await bus.publishAll(Array.from({ length: 100 }, (_, j) => event(i * 100 + j)));
    await bus.trim();

    // Then nothing the group has not read was removed
    expect(await admin.xlen(stream)).toBe(1_000);

    // When a member of the group reads and acknowledges all of them, and the stream is trimmed
    let handled = 0;
    await bus.subscribe('streams.trim.#', () => void handled++, { group: 'slow' });
    await until(() => handled === 1_000, 'the group to handle the 1,000 events');
    await until(async () => Number(((await admin.xpending(stream, 'slow')) as unknown[])[0]) === 0, 'every entry acknowledged');
    const removed = await bus.trim();

    // Then the stream is cut down towards maxLen (approximately: whole nodes only, never below it)
    const left = await admin.xlen(stream);
    expect(removed).toBe(1_000 - left);
    expect(left).toBeGreaterThanOrEqual(100);
    expect(left).toBeLessThan(1_000);
  });

  it('stops at the oldest pending entry of a group', async () => {
    // Given a group whose (dead) member holds entry #300 pending, all others acknowledged
    const names = unique('trim-pending');
    const bus = buses.track(new RedisStreamsEventBus({ redis: REDIS_URL, ...names, maxLen: 50, blockMs: 200 }));
    const stream = bus.streams[0]!;
    await admin.xgroup('CREATE', stream, 'g', '$', 'MKSTREAM');
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      await bus.publishAll(Array.from({ length: 100 }, (_, j) => event(i * 100 + j)));
    }
    const all = (await admin.xrange(stream, '-', '+')) as Array<[string, string[]]>;
    for (const [id] of all) ids.push(id);
    await admin.xreadgroup('GROUP', 'g', 'dead', 'COUNT', 1_000, 'STREAMS', stream, '>');
    await admin.xack(stream, 'g', ...ids.filter((_, i) => i !== 300));

    // When the stream is trimmed
    await bus.trim();

    // Then the pending entry and everything after it survive
    const first = ((await admin.xrange(stream, '-', '+', 'COUNT', 1)) as Array<[string, string[]]>)[0]![0];
    expect(ids.indexOf(first)).toBeLessThanOrEqual(300);
    expect(await admin.xlen(stream)).toBeGreaterThanOrEqual(700);
    expect(((await admin.xrange(stream, ids[300]!, ids[300]!)) as unknown[]).length).toBe(1);
  });
});
