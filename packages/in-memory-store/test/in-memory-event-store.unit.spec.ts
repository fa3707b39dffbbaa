import { ConcurrencyError, createDomainEvent, type DomainEvent } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../src/index.js';

function event(streamId: string, data: Record<string, unknown> = {}): DomainEvent {
  return createDomainEvent({
    type: 'cart.item.added',
    aggregateId: streamId,
    aggregateType: 'Cart',
    data,
    metadata: { source: 'unit-test', environment: 'test' },
  });
}

describe('InMemoryEventStore', () => {
  it('assigns stream versions and global positions starting at 1', async () => {
    // Given an empty store
    const store = new InMemoryEventStore();

    // When two streams are appended to
    const first = await store.saveEvents('cart-1', [event('cart-1'), event('cart-1')], 'no-stream');
    const second = await store.saveEvents('cart-2', [event('cart-2')], 0);

    // Then versions count per stream and positions count across the store
    expect(first).toEqual({ nextExpectedVersion: 2, lastPosition: 2 });
    expect(second).toEqual({ nextExpectedVersion: 1, lastPosition: 3 });
    const all = await store.getAllEvents();
    expect(all.map((e) => [e.aggregateId, e.version, e.position])).toEqual([
      ['cart-1', 1, 1],
      ['cart-1', 2, 2],
      ['cart-2', 1, 3],
    ]);
  });

  it('overwrites the version the caller put on an event with the stream version', async () => {
    // Given an event claiming version 7
    const store = new InMemoryEventStore();
    const claimed = { ...event('cart-1'), version: 7 };

    // When it is the first event of its stream
    await store.saveEvents('cart-1', [claimed], 'any');

    // Then it is stored as version 1: the stream decides
    expect((await store.getEvents('cart-1'))[0]!.version).toBe(1);
  });

  it('rejects a stale expected version without writing', async () => {
    // Given a stream at version 1
    const store = new InMemoryEventStore();
    await store.saveEvents('cart-1', [event('cart-1')], 0);

    // When a writer still expects a new stream
    const attempt = store.saveEvents('cart-1', [event('cart-1')], 0);

    // Then it conflicts and the stream is unchanged
    await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.getEvents('cart-1')).toHaveLength(1);
  });

  it('reads a page deep in a large log by position', async () => {
    // Given 200,000 events in batches of 1,000
    const store = new InMemoryEventStore();
    const template = event('bulk');
    for (let b = 0; b < 200; b++) {
      const batch = Array.from({ length: 1_000 }, (_, i) => ({ ...template, id: `e-${b * 1_000 + i + 1}` }));
      await store.saveEvents('bulk', batch, b * 1_000);
    }

    // When a page is read near the end
    const page = await store.getAllEvents(199_990, 100);

    // Then it holds exactly the events from that position to the head
    expect(page.map((e) => e.position)).toEqual(Array.from({ length: 11 }, (_, i) => 199_990 + i));
    expect(page[0]!.id).toBe('e-199990');
  });

  it('keeps Dates as Dates and copies them', async () => {
    // Given an event with a Date in its data
    const store = new InMemoryEventStore();
    const when = new Date('2024-01-01T00:00:00.000Z');
    await store.saveEvents('cart-1', [event('cart-1', { when })], 0);

    // When the caller changes its Date after saving
    when.setTime(0);

    // Then the stored Date is unchanged and still a Date
    const [stored] = await store.getEvents('cart-1');
    expect(stored!.data.when).toEqual(new Date('2024-01-01T00:00:00.000Z'));
  });

  it('close() resolves and is idempotent', async () => {
    // Given a store
    const store = new InMemoryEventStore();

    // When it is closed twice
    await store.close();
    await store.close();

    // Then nothing throws
    expect(await store.getAllEvents()).toEqual([]);
  });
});
