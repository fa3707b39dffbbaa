import {
  AggregateRepository,
  type DomainEvent,
  EventSourcedAggregate,
  InMemorySnapshotStore,
  type SnapshotStore,
} from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import type { EventSourcingHarness } from './es-harness.js';

type Moved = DomainEvent<{ dx: number }>;

/** A position on a line that snapshots itself as `{ x, moves }`. */
export class ConformanceWalker extends EventSourcedAggregate<Moved> {
  readonly aggregateType = 'ConformanceWalker';
  x = 0;
  moves = 0;
  restoredFrom: number | undefined;
  // biome-ignore lint/complexity/noUselessConstructor: makes the base class's protected constructor public
  constructor(id: string) {
    super(id);
  }
  apply(event: Moved): void {
    this.x += event.data.dx;
    this.moves++;
  }
  move(dx: number): void {
    this.raise('conformance.walker.moved', { dx });
  }
  override snapshotState(): unknown {
    return { x: this.x, moves: this.moves };
  }
  override restoreSnapshot(state: unknown): void {
    const s = state as { x: number; moves: number };
    this.x = s.x;
    this.moves = s.moves;
    // moves counts every event, so it is the version the snapshot was taken at
    this.restoredFrom = s.moves;
  }
}

/** The repository's snapshot option on this event store (with the in-memory snapshot store). */
export function registerSnapshotRepositoryCases(h: EventSourcingHarness, { describe, it }: CaseRegistry, snapshots: () => SnapshotStore = () => new InMemorySnapshotStore()): void {
  describe('repository snapshots on this store', () => {
    it('load = latest snapshot + the events after it, equal to a full replay', async () => {
      // Given 23 moves saved in batches, a snapshot every 5 events
      const store = await h.store();
      const snapshotStore = snapshots();
      try {
        const repo = new AggregateRepository(store, (id) => new ConformanceWalker(id), { snapshots: { store: snapshotStore, every: 5 } });
        for (let batch = 0; batch < 23; batch += 3) {
          const walker = await repo.load('w-1');
          for (let i = batch; i < Math.min(batch + 3, 23); i++) walker.move(i % 4 === 0 ? -1 : 2);
          await repo.save(walker);
          await repo.flushSnapshots();
        }
        // When it is loaded with snapshots and by full replay
        const fast = await repo.load('w-1');
        const full = await new AggregateRepository(store, (id) => new ConformanceWalker(id)).load('w-1');
        // Then both agree, and the fast one started from the snapshot
        expect({ x: fast.x, moves: fast.moves, version: fast.version }).toEqual({ x: full.x, moves: full.moves, version: full.version });
        expect(full.version).toBe(23);
        expect(fast.restoredFrom).toBe((await snapshotStore.load('w-1'))!.version);
        expect(fast.restoredFrom).toBeGreaterThanOrEqual(20);
      } finally {
        await snapshotStore.close?.();
      }
    });
  });
}
