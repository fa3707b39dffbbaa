import { ConcurrencyError, type ExpectedVersion } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { domainEvent, domainEvents, headPosition, ids, readAll } from './store-fixtures.js';
import type { StoreHarness } from './store-harness.js';

/** Expected-version modes, empty batches and all-or-nothing appends. */
export function registerExpectedVersionCases(h: StoreHarness, { describe, it }: CaseRegistry): void {
  describe('expected version', () => {
    const successes: Array<{ title: string; existing: number; expected: ExpectedVersion }> = [
      { title: '0 on a new stream', existing: 0, expected: 0 },
      { title: 'the exact version of an existing stream', existing: 3, expected: 3 },
      { title: "'no-stream' on a new stream", existing: 0, expected: 'no-stream' },
      { title: "'stream-exists' on an existing stream", existing: 2, expected: 'stream-exists' },
      { title: "'any' on a new stream", existing: 0, expected: 'any' },
      { title: "'any' on an existing stream", existing: 4, expected: 'any' },
    ];
    for (const { title, existing, expected } of successes) {
      it(`appends with ${title}`, async () => {
        // Given a stream with `existing` events
        const store = h.store();
        if (existing > 0) await store.saveEvents('account-1', domainEvents('account-1', existing), 0);
        const batch = domainEvents('account-1', 2);

        // When two more are saved with the expected version
        const result = await store.saveEvents('account-1', batch, expected);

        // Then they follow the existing ones with the next versions
        const events = await store.getEvents('account-1');
        expect(events.map((e) => e.version)).toEqual(Array.from({ length: existing + 2 }, (_, i) => i + 1));
        expect(ids(events.slice(existing))).toEqual(ids(batch));
        expect(result.nextExpectedVersion).toBe(existing + 2);
        expect(result.lastPosition).toBe(events[events.length - 1]!.position);
      });
    }

    const conflicts: Array<{ title: string; existing: number; expected: ExpectedVersion }> = [
      { title: 'a number below the stream version', existing: 3, expected: 2 },
      { title: 'a number above the stream version', existing: 3, expected: 5 },
      { title: '0 on an existing stream', existing: 1, expected: 0 },
      { title: 'a number on a missing stream', existing: 0, expected: 1 },
      { title: "'no-stream' on an existing stream", existing: 2, expected: 'no-stream' },
      { title: "'stream-exists' on a missing stream", existing: 0, expected: 'stream-exists' },
    ];
    for (const { title, existing, expected } of conflicts) {
      it(`rejects ${title} with ConcurrencyError and writes nothing`, async () => {
        // Given a stream with `existing` events
        const store = h.store();
        if (existing > 0) await store.saveEvents('account-1', domainEvents('account-1', existing), 0);
        const before = await readAll(store);

        // When a batch is saved with a wrong expected version
        const attempt = store.saveEvents('account-1', domainEvents('account-1', 2), expected);

        // Then it is a ConcurrencyError naming the stream and both versions, and nothing was written
        const error = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ code: 'CONCURRENCY', streamId: 'account-1', expectedVersion: expected, actualVersion: existing });
        expect(await readAll(store)).toEqual(before);
      });
    }
  });

  describe('batches', () => {
    it('an empty batch writes nothing and reports where the stream and the log are', async () => {
      // Given a stream of 2 events in a log of 3
      const store = h.store();
      await store.saveEvents('other', domainEvents('other', 1), 'no-stream');
      await store.saveEvents('cart-1', domainEvents('cart-1', 2), 'no-stream');
      const head = await headPosition(store);

      // When empty batches are saved to it and to a missing stream
      const onExisting = await store.saveEvents('cart-1', [], 2);
      const onMissing = await store.saveEvents('cart-2', [], 'no-stream');

      // Then nothing changes and the results give the current versions and log head
      expect(onExisting).toEqual({ nextExpectedVersion: 2, lastPosition: head });
      expect(onMissing).toEqual({ nextExpectedVersion: 0, lastPosition: head });
      expect(await store.getEvents('cart-2')).toEqual([]);
      expect(await readAll(store)).toHaveLength(3);
    });

    it('an empty batch still checks the expected version', async () => {
      // Given a stream of 2 events
      const store = h.store();
      await store.saveEvents('cart-1', domainEvents('cart-1', 2), 0);

      // When an empty batch expects another version
      const attempt = store.saveEvents('cart-1', [], 5);

      // Then it conflicts like any other append
      await expect(attempt).rejects.toMatchObject({ code: 'CONCURRENCY', actualVersion: 2 });
    });

    it('a conflicting batch writes none of its events and does not advance the global position', async () => {
      // Given a log of 3 events
      const store = h.store();
      await store.saveEvents('a', domainEvents('a', 3), 0);
      const before = await readAll(store);

      // When a batch of 5 conflicts, then another stream appends
      await expect(store.saveEvents('b', domainEvents('b', 5), 1)).rejects.toBeInstanceOf(ConcurrencyError);
      const next = domainEvent('c');
      const result = await store.saveEvents('c', [next], 0);

      // Then the log holds only the 4 saved events and the next position follows the last one directly
      const after = await readAll(store);
      expect(after).toHaveLength(4);
      expect(await store.getEvents('b')).toEqual([]);
      expect(ids(after)).toEqual([...ids(before), next.id]);
      const positions = after.map((e) => e.position);
      expect(result.lastPosition).toBe(positions[3]);
      // Positions of committed events are consecutive: the failed batch consumed none.
      expect(positions[3]! - positions[2]!).toBe(positions[2]! - positions[1]!);
    });

    it('a batch with one invalid event writes none of them', async () => {
      // Given a batch whose third event has no correlation id
      const store = h.store();
      const batch = domainEvents('d', 4);
      batch[2] = { ...batch[2]!, metadata: { ...batch[2]!.metadata, correlationId: '' } };

      // When it is saved
      const attempt = store.saveEvents('d', batch, 0);

      // Then it is rejected and nothing was written
      await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION' });
      expect(await readAll(store)).toEqual([]);
    });

    it('25 events in one batch get versions 1..25 and consecutive positions in order', async () => {
      // Given a batch of 25
      const store = h.store();
      const batch = domainEvents('big', 25);

      // When it is saved at once
      const result = await store.saveEvents('big', batch, 'no-stream');

      // Then it reads back whole and in order
      const events = await store.getEvents('big');
      expect(ids(events)).toEqual(ids(batch));
      expect(events.map((e) => e.version)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      const first = events[0]!.position;
      expect(events.map((e) => e.position)).toEqual(Array.from({ length: 25 }, (_, i) => first + i));
      expect(result).toEqual({ nextExpectedVersion: 25, lastPosition: first + 24 });
    });

    it('1,000 rapid appends read back in order', async () => {
      // Given 1,000 single-event appends, each expecting the version the previous one left
      const store = h.store();
      const saved = domainEvents('rapid', 1_000);
      for (let i = 0; i < saved.length; i++) await store.saveEvents('rapid', [saved[i]!], i);

      // When the stream and the log are read
      const events = await store.getEvents('rapid');
      const all = await readAll(store);

      // Then both hold all of them in append order
      expect(ids(events)).toEqual(ids(saved));
      expect(events.map((e) => e.version)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
      expect(ids(all)).toEqual(ids(saved));
    });
  });
}
