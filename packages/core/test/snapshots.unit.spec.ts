import { describe, expect, it } from 'vitest';
import {
  AggregateRepository,
  createUpcasters,
  InMemorySnapshotStore,
  type Snapshot,
  type SnapshotStore,
  ValidationError,
} from '../src/index.js';
import { Counter, TinyStore } from './aggregate-fixtures.js';
import { deferred, recordingLogger } from './helpers.js';

/** A counter that snapshots its total (state schema 2: `{ total }`). */
class SnapshottingCounter extends Counter {
  override readonly snapshotSchemaVersion: number = 2;
  restored = 0;
  override snapshotState(): unknown {
    return { total: this.total };
  }
  override restoreSnapshot(state: unknown): void {
    this.restored++;
    this.total = (state as { total: number }).total;
  }
}

async function counterWith(repo: AggregateRepository<SnapshottingCounter>, id: string, increments: number): Promise<void> {
  for (let i = 0; i < increments; i++) {
    const c = await repo.load(id);
    c.increment(1);
    await repo.save(c);
  }
}

describe('AggregateRepository snapshots', () => {
  it('takes a snapshot every n events and loads it plus the events after it', async () => {
    // Given snapshots every 10 events and 25 saved one by one
    const store = new TinyStore();
    const snapshots = new InMemorySnapshotStore();
    const repo = new AggregateRepository(store, (id) => new SnapshottingCounter(id), { snapshots: { store: snapshots, every: 10 } });
    await counterWith(repo, 'c-1', 25);
    await repo.flushSnapshots();
    // When it is loaded
    const loaded = await repo.load('c-1');
    // Then the snapshot at 20 was restored and only 21..25 read
    expect((await snapshots.load('c-1'))?.version).toBe(20);
    expect(loaded.restored).toBe(1);
    expect(loaded.total).toBe(25);
    expect(loaded.version).toBe(25);
    expect(await store.getEvents('c-1', 21)).toHaveLength(5);
    // And it saves on as usual
    loaded.increment(1);
    await repo.save(loaded);
    expect((await repo.load('c-1')).total).toBe(26);
  });

  it('a batch that crosses a multiple of n takes one snapshot at the batch end', async () => {
    const snapshots = new InMemorySnapshotStore();
    const repo = new AggregateRepository(new TinyStore(), (id) => new SnapshottingCounter(id), { snapshots: { store: snapshots, every: 10 } });
    const c = await repo.load('c-2');
    for (let i = 0; i < 13; i++) c.increment(1);
    await repo.save(c);
    await repo.flushSnapshots();
    expect(await snapshots.load('c-2')).toMatchObject({ version: 13, schemaVersion: 2, aggregateType: 'counter', state: { total: 13 } });
  });

  it('ignores a snapshot of another state schema version: full replay, never misread', async () => {
    // Given a snapshot written by older code (schema 1, another shape)
    const store = new TinyStore();
    const snapshots = new InMemorySnapshotStore();
    const plain = new AggregateRepository(store, (id) => new Counter(id));
    const c = await plain.load('c-3');
    for (let i = 0; i < 5; i++) c.increment(2);
    await plain.save(c);
    await snapshots.save({ aggregateId: 'c-3', aggregateType: 'counter', version: 4, schemaVersion: 1, state: { sum: 'eight' } });
    const repo = new AggregateRepository(store, (id) => new SnapshottingCounter(id), { snapshots: { store: snapshots, every: 100 } });
    // When it is loaded
    const loaded = await repo.load('c-3');
    // Then the snapshot was not used
    expect(loaded.restored).toBe(0);
    expect(loaded.total).toBe(10);
    expect(loaded.version).toBe(5);
  });

  it('a restore that throws falls back to a full replay on a fresh aggregate', async () => {
    const store = new TinyStore();
    const snapshots = new InMemorySnapshotStore();
    const logger = recordingLogger();
    class Fragile extends SnapshottingCounter {
      override restoreSnapshot(): void {
        this.total = 1_000;
        throw new Error('corrupt');
      }
    }
    const repo = new AggregateRepository(store, (id) => new Fragile(id), { snapshots: { store: snapshots, every: 2 }, logger });
    await counterWith(repo, 'c-4', 3);
    await repo.flushSnapshots();
    const loaded = await repo.load('c-4');
    expect(loaded.total).toBe(3);
    expect(logger.lines.some((l) => l.message.includes('snapshot unreadable'))).toBe(true);
  });

  it('a failing or hanging snapshot store never fails or blocks the save of events', async () => {
    // Given a snapshot store whose save rejects, and one whose save never settles
    const logger = recordingLogger();
    const failing: SnapshotStore = { save: async () => Promise.reject(new Error('disk full')), load: async () => undefined };
    const hanging = deferred();
    const stuck: SnapshotStore = { save: () => hanging.promise, load: async () => undefined };
    const store = new TinyStore();
    const a = new AggregateRepository(store, (id) => new SnapshottingCounter(id), { snapshots: { store: failing, every: 1 }, logger });
    const b = new AggregateRepository(store, (id) => new SnapshottingCounter(id), { snapshots: { store: stuck, every: 1 } });
    // When both save
    await counterWith(a, 'c-5', 2);
    await counterWith(b, 'c-6', 2);
    await a.flushSnapshots();
    // Then the events are there and the failure was logged
    expect(await store.getEvents('c-5')).toHaveLength(2);
    expect(await store.getEvents('c-6')).toHaveLength(2);
    expect(logger.lines.some((l) => l.message.includes('snapshot save failed'))).toBe(true);
    hanging.resolve();
  });

  it('aggregates that do not override snapshotState take no snapshots', async () => {
    const snapshots = new InMemorySnapshotStore();
    const repo = new AggregateRepository(new TinyStore(), (id) => new Counter(id), { snapshots: { store: snapshots, every: 1 } });
    const c = await repo.load('c-7');
    c.increment(1);
    await repo.save(c);
    await repo.flushSnapshots();
    expect(await snapshots.load('c-7')).toBeUndefined();
  });

  it('upcasters: loaded events are upcast, saved ones stamped with the current schema version', async () => {
    // Given a v1 event of another shape in the stream ({ step } instead of { by })
    const store = new TinyStore();
    const upcasters = createUpcasters().register('counter.incremented', 1, (e) => ({ ...e, data: { by: e.data?.step } }));
    const old = new Counter('c-8');
    old.increment(4);
    const v1 = { ...old.changes[0]!, data: { step: 4 } as never, metadata: { ...old.changes[0]!.metadata, schemaVersion: 1 } };
    await store.saveEvents('c-8', [v1], 0);
    const repo = new AggregateRepository(store, (id) => new Counter(id), { upcasters });
    // When it is loaded and saved
    const c = await repo.load('c-8');
    c.increment(1);
    const { events } = await repo.save(c);
    // Then
    expect(c.total).toBe(5);
    expect(events[0]!.metadata.schemaVersion).toBe(2);
    expect((await repo.load('c-8')).total).toBe(5);
  });

  it('rejects bad snapshot options', () => {
    const store = new InMemorySnapshotStore();
    expect(() => new AggregateRepository(new TinyStore(), (id) => new Counter(id), { snapshots: { store, every: 0 } })).toThrow(ValidationError);
    expect(() => new AggregateRepository(new TinyStore(), (id) => new Counter(id), { snapshots: { store: {} as never, every: 5 } })).toThrow(
      ValidationError,
    );
  });
});

describe('InMemorySnapshotStore', () => {
  it('keeps the latest version per aggregate, as copies', async () => {
    const store = new InMemorySnapshotStore();
    const snapshot: Snapshot = { aggregateId: 'a', aggregateType: 'T', version: 5, schemaVersion: 1, state: { n: [1] } };
    await store.save(snapshot);
    (snapshot.state as { n: number[] }).n.push(2);
    await store.save({ ...snapshot, version: 3, state: { n: 'older' } });
    expect(await store.load('a')).toEqual({ ...snapshot, state: { n: [1] } });
    await expect(store.save({ ...snapshot, version: 0 })).rejects.toThrow(ValidationError);
  });
});
