import { describe, expect, it } from 'vitest';
import {
  InMemoryCheckpointStore,
  type Projection,
  type RebuildProgress,
  rebuildProjection,
  runProjection,
  type StoredEvent,
} from '../src/index.js';
import { eventually } from './helpers.js';
import { LogStore } from './log-store.js';

/** A read model: events counted per aggregate id, for the types it handles. */
class CountPerAggregate implements Projection {
  readonly name = 'counts';
  readonly handles = ['thing.counted'];
  counts = new Map<string, number>();
  applied = 0;
  resets = 0;
  apply(event: StoredEvent): void {
    this.applied++;
    const id = (event as StoredEvent & { aggregateId: string }).aggregateId;
    this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
  }
  reset(): void {
    this.resets++;
    this.counts = new Map();
  }
}

describe('runProjection', () => {
  it('applies only the handled types, follows the log and keeps its checkpoint under its name', async () => {
    // Given a log with handled and other events
    const store = new LogStore();
    store.append(3, 'thing.counted');
    store.append(2, 'thing.ignored');
    const projection = new CountPerAggregate();
    const checkpoints = new InMemoryCheckpointStore();
    // When it runs and more events arrive
    const running = runProjection(store, projection, { checkpoints, pollIntervalMs: 5 });
    try {
      store.append(1, 'thing.counted');
      await eventually(() => projection.applied === 4, 'four handled events applied');
    } finally {
      // close() waits for the batch in progress, checkpoint included
      await running.close();
    }
    expect(await checkpoints.load('counts')).toBe(7);
    // Then the ignored type was never applied
    expect(projection.counts.size).toBe(4);
  });
});

describe('rebuildProjection', () => {
  it('resets the read model and checkpoint, replays from position 1 and reports progress', async () => {
    // Given a projection that is up to date over 2,500 events
    const store = new LogStore({ knowsHead: true });
    store.append(2_500, 'thing.counted');
    const projection = new CountPerAggregate();
    const checkpoints = new InMemoryCheckpointStore();
    await checkpoints.save('counts', 2_501);
    projection.counts.set('stale', 99);
    const reports: RebuildProgress[] = [];
    // When it is rebuilt in batches of 1,000
    const final = await rebuildProjection(store, projection, { checkpoints, batchSize: 1_000, onProgress: (p) => reports.push(p) });
    // Then the old state is gone, every event applied once, the checkpoint at the end
    expect(projection.resets).toBe(1);
    expect(projection.counts.has('stale')).toBe(false);
    expect(projection.applied).toBe(2_500);
    expect(await checkpoints.load('counts')).toBe(2_501);
    // And progress counted up to the total, ending with nothing remaining
    expect(reports.map((r) => r.done)).toEqual([1_000, 2_000, 2_500]);
    expect(reports.map((r) => r.remaining)).toEqual([1_500, 500, 0]);
    expect(reports.every((r) => r.total === 2_500 && r.eventsPerSecond >= 0)).toBe(true);
    expect(final).toEqual(reports[2]);
  });

  it('rejects a projection without a checkpoint store', async () => {
    await expect(rebuildProjection(new LogStore(), new CountPerAggregate(), {} as never)).rejects.toThrow(/checkpoint/);
  });
});
