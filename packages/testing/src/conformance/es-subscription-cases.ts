import {
  InMemoryCheckpointStore,
  type Projection,
  type RebuildProgress,
  rebuildProjection,
  runProjection,
  StoreSubscription,
  type StoredEvent,
  subscribeToStore,
} from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { waitUntil } from '../wait-until.js';
import type { EventSourcingHarness } from './es-harness.js';
import { domainEvent, domainEvents } from './store-fixtures.js';

/** Events per stream id, for the types it handles: a small read model. */
class EventsPerStream implements Projection {
  readonly name = 'per-stream';
  readonly handles = ['conformance.item.added'];
  counts: Record<string, number> = {};
  apply(event: StoredEvent): void {
    const id = (event as StoredEvent & { aggregateId: string }).aggregateId;
    this.counts[id] = (this.counts[id] ?? 0) + 1;
  }
  reset(): void {
    this.counts = {};
  }
}

/** Catch-up subscriptions, projections and rebuilds over the store's global log. */
export function registerSubscriptionCases(h: EventSourcingHarness, { describe, it }: CaseRegistry): void {
  describe('catch-up subscriptions and projections', () => {
    it('subscribeToStore reads from the checkpoint, follows appends and checkpoints what it handled', async () => {
      // Given 5 events and a checkpoint at position 3
      const store = await h.store();
      await store.saveEvents('a', domainEvents('a', 5), 0);
      const checkpoints = new InMemoryCheckpointStore();
      await checkpoints.save('reader', 3);
      const seen: number[] = [];
      // When a subscription starts and 3 more events are appended
      const sub = subscribeToStore(store, (e) => void seen.push(e.position), { checkpoints, name: 'reader', batchSize: 2, pollIntervalMs: 10 });
      try {
        await store.saveEvents('b', domainEvents('b', 3), 0);
        await waitUntil(() => seen.length === 6, { message: 'positions 3..8', timeoutMs: 5_000 });
      } finally {
        await sub.stop();
      }
      // Then it saw each once, in order, and the checkpoint is past the log
      expect(seen).toEqual([3, 4, 5, 6, 7, 8]);
      expect(await checkpoints.load('reader')).toBe(9);
    });

    it("from 'end' sees only events appended after it started", async () => {
      const store = await h.store();
      await store.saveEvents('a', domainEvents('a', 4), 0);
      const seen: number[] = [];
      const sub = new StoreSubscription(store, (e) => void seen.push(e.position), { from: 'end' });
      expect(await sub.drain()).toBe(0);
      await store.saveEvents('a', [domainEvent('a')], 4);
      await sub.drain();
      expect(seen).toEqual([5]);
    });

    it('a crash mid-batch replays at most that batch: every event handled at least once, in order', async () => {
      // Given 10 events and a handler that "crashes" (throws) at position 7 once
      const store = await h.store();
      await store.saveEvents('a', domainEvents('a', 10), 0);
      const checkpoints = new InMemoryCheckpointStore();
      const seen: number[] = [];
      const crashing = new StoreSubscription(
        store,
        (e) => {
          if (e.position === 7) throw new Error('crash');
          seen.push(e.position);
        },
        { checkpoints, name: 'p', batchSize: 4 },
      );
      await expect(crashing.drain()).rejects.toThrow('crash');
      // When a new instance (a restart) continues from the checkpoint
      await new StoreSubscription(store, (e) => void seen.push(e.position), { checkpoints, name: 'p', batchSize: 4 }).drain();
      // Then nothing was lost and the order held
      expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('rebuildProjection resets and replays to the same read model the live projection built', async () => {
      // Given a live projection kept up to date while events arrive, other types mixed in
      const store = await h.store();
      const live = new EventsPerStream();
      const checkpoints = new InMemoryCheckpointStore();
      const running = runProjection(store, live, { checkpoints, pollIntervalMs: 10, batchSize: 7 });
      let total = 0;
      try {
        for (const id of ['x', 'y', 'z']) {
          const n = id === 'y' ? 13 : 5;
          total += n;
          await store.saveEvents(id, domainEvents(id, n), 0);
        }
        await store.saveEvents('other', [domainEvent('other', {}, { type: 'conformance.item.removed' })], 0);
        total += 1;
        await waitUntil(async () => (await checkpoints.load('per-stream')) === total + 1, { message: 'the live projection caught up' });
      } finally {
        await running.stop();
      }
      // When a second instance is rebuilt from zero (with stale state in it)
      const rebuilt = new EventsPerStream();
      rebuilt.counts = { stale: 1 };
      const reports: RebuildProgress[] = [];
      const final = await rebuildProjection(store, rebuilt, { checkpoints, batchSize: 4, onProgress: (p) => reports.push(p) });
      // Then both read models are equal, and progress ran to the total
      expect(rebuilt.counts).toEqual(live.counts);
      expect(live.counts).toEqual({ x: 5, y: 13, z: 5 });
      expect(final).toMatchObject({ done: total, remaining: 0, total });
      expect(reports.at(-1)).toEqual(final);
      expect(reports.map((r) => r.done)).toEqual([...reports.map((r) => r.done)].sort((a, b) => a - b));
      expect(await checkpoints.load('per-stream')).toBe(total + 1);
    });
  });
}
