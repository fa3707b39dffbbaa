import { createDomainEvent, ValidationError } from '@herald/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_EVENTS_PER_APPEND, RedisEventStore } from '../src/index.js';
import { deleteKeys, itIssuedNoKeysCommand, redisOptions, uniquePrefix } from './support/redis.js';

const admin = new Redis(redisOptions);
const prefix = uniquePrefix('large');
afterAll(async () => {
  await deleteKeys(admin, prefix);
  admin.disconnect();
});

// Lua's unpack() has a stack limit of a few thousand values, and one HMGET reply is bounded
// by the store to 1,000 fields: these cases cross both limits.
describe('batches and pages beyond the chunk sizes', () => {
  it('appends 2,500 events in one batch and reads them back from the stream and the log', async () => {
    // Given a batch of 2,500 events
    const store = new RedisEventStore({ redis: redisOptions, prefix });
    const batch = Array.from({ length: 2_500 }, (_, i) =>
      createDomainEvent({ type: 'bulk.loaded', aggregateId: 'bulk', aggregateType: 'Bulk', data: { i }, metadata: { source: 't', environment: 't' } }),
    );

    // When it is saved at once, then read whole from the stream, from a version, and as one log page
    const result = await store.saveEvents('bulk', batch, 'no-stream');
    const stream = await store.getEvents('bulk');
    const tail = await store.getEvents('bulk', 2_001);
    const page = await store.getAllEvents(0, 3_000);

    // Then all are there, in order, with dense versions and positions
    expect(result).toEqual({ nextExpectedVersion: 2_500, lastPosition: 2_500 });
    expect(stream.map((e) => e.id)).toEqual(batch.map((e) => e.id));
    expect(stream.map((e) => e.version)).toEqual(Array.from({ length: 2_500 }, (_, i) => i + 1));
    expect(tail.map((e) => e.version)).toEqual(Array.from({ length: 500 }, (_, i) => 2_001 + i));
    expect(page.map((e) => e.position)).toEqual(Array.from({ length: 2_500 }, (_, i) => i + 1));
    expect((await store.getAllEvents(1_500, 1_200)).map((e) => e.position)).toEqual(Array.from({ length: 1_001 }, (_, i) => 1_500 + i));
    await store.close();
  });
});

describe('the maximum events per append', () => {
  const make = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      createDomainEvent({ type: 'bulk.loaded', aggregateId: 'max', aggregateType: 'Bulk', data: { i }, metadata: { source: 't', environment: 't' } }),
    );

  it('appends exactly MAX_EVENTS_PER_APPEND events in one call', async () => {
    // Given a batch at the maximum
    const store = new RedisEventStore({ redis: redisOptions, prefix });
    // When it is saved
    const result = await store.saveEvents('at-max', make(MAX_EVENTS_PER_APPEND), 'no-stream');
    // Then all were written
    expect(result.nextExpectedVersion).toBe(MAX_EVENTS_PER_APPEND);
    await store.close();
  });

  it.each([MAX_EVENTS_PER_APPEND + 1, 90_000])('rejects %i events with ValidationError and writes nothing', async (n) => {
    // Given a batch over the maximum (90,000 once overflowed the call stack with a RangeError)
    const store = new RedisEventStore({ redis: redisOptions, prefix });
    // When it is saved
    const error = await store.saveEvents(`over-${n}`, make(n), 'any').then(() => undefined, (e: unknown) => e);
    // Then it is a ValidationError naming the limit, and the stream does not exist
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('events');
    expect((error as Error).message).toContain(`at most ${MAX_EVENTS_PER_APPEND}`);
    expect(await store.getEvents(`over-${n}`)).toEqual([]);
    await store.close();
  });
});

itIssuedNoKeysCommand();
