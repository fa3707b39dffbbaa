import { isHeraldError, StoreClosedError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { RedisCheckpointStore, RedisInbox, RedisSnapshotStore } from '../src/index.js';

// A port nothing is asked to listen on: a closed component must refuse before it ever connects.
const unused = { host: '127.0.0.1', port: 1 };

describe('Redis stores after close()', () => {
  it.each([
    ['redis-checkpoint-store', () => new RedisCheckpointStore({ redis: unused }), (c: RedisCheckpointStore) => c.load('relay')],
    ['redis-snapshot-store', () => new RedisSnapshotStore({ redis: unused }), (c: RedisSnapshotStore) => c.load('player-1')],
    ['redis-inbox', () => new RedisInbox({ redis: unused }), (c: RedisInbox) => c.complete('event-1', 1_000)],
  ] as const)('%s rejects every call with StoreClosedError (code STORE_CLOSED) instead of reconnecting', async (name, create, use) => {
    // Given a component that was closed (twice: close is idempotent)
    const component = create() as never;
    await (component as { close(): Promise<void> }).close();
    await (component as { close(): Promise<void> }).close();
    // When it is used
    const error = await (use as (c: never) => Promise<unknown>)(component).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Then
    expect(error).toBeInstanceOf(StoreClosedError);
    expect(isHeraldError(error, 'STORE_CLOSED')).toBe(true);
    expect((error as Error).message).toBe(`${name}: the store is closed`);
  });
});
