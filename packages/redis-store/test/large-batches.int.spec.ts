import { createDomainEvent } from '@herald/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisEventStore } from '../src/index.js';
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

itIssuedNoKeysCommand();
