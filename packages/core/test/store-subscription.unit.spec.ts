import { afterEach, describe, expect, it } from 'vitest';
import {
  InMemoryCheckpointStore,
  readHeadPosition,
  StoreSubscription,
  type StoredEvent,
  subscribeToStore,
} from '../src/index.js';
import { deferred, eventually, flush, validationField } from './helpers.js';
import { LogStore } from './log-store.js';

const open: StoreSubscription[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function track(subscription: StoreSubscription): StoreSubscription {
  open.push(subscription);
  return subscription;
}

const positionsOf = (events: StoredEvent[]) => events.map((e) => e.position);

describe('subscribeToStore', () => {
  it("from 'start' reads the whole log, then follows appends", async () => {
    // Given a log of 3 events
    const store = new LogStore();
    store.append(3);
    const seen: StoredEvent[] = [];
    // When a subscription starts from the start and 2 more are appended
    track(subscribeToStore(store, (e) => void seen.push(e), { from: 'start', pollIntervalMs: 5 }));
    await eventually(() => seen.length === 3, 'the first three events');
    store.append(2);
    // Then it sees all five, in position order
    await eventually(() => seen.length === 5, 'the appended events');
    expect(positionsOf(seen)).toEqual([1, 2, 3, 4, 5]);
  });

  it("from 'end' skips what is already in the log", async () => {
    // Given a log of 4 events
    const store = new LogStore({ knowsHead: true });
    store.append(4);
    const seen: StoredEvent[] = [];
    const sub = track(new StoreSubscription(store, (e) => void seen.push(e), { from: 'end' }));
    // When it steps once, then one event is appended and it steps again
    expect(await sub.runOnce()).toBe(0);
    store.append(1);
    await sub.drain();
    // Then only the new event was handled
    expect(positionsOf(seen)).toEqual([5]);
  });

  it('from a position starts there (inclusive)', async () => {
    const store = new LogStore();
    store.append(6);
    const seen: StoredEvent[] = [];
    await new StoreSubscription(store, (e) => void seen.push(e), { from: 4 }).drain();
    expect(positionsOf(seen)).toEqual([4, 5, 6]);
  });

  it('a stored checkpoint wins over from', async () => {
    // Given a checkpoint at position 3 (the next to read)
    const store = new LogStore();
    store.append(5);
    const checkpoints = new InMemoryCheckpointStore();
    await checkpoints.save('reader', 3);
    const seen: StoredEvent[] = [];
    // When a subscription named after it drains from 'start'
    await new StoreSubscription(store, (e) => void seen.push(e), { from: 'start', checkpoints, name: 'reader' }).drain();
    // Then it continues at the checkpoint and moves it past the end
    expect(positionsOf(seen)).toEqual([3, 4, 5]);
    expect(await checkpoints.load('reader')).toBe(6);
  });

  it('moves the checkpoint only after the handler settled', async () => {
    // Given a handler that does not settle until released
    const store = new LogStore();
    store.append(2);
    const checkpoints = new InMemoryCheckpointStore();
    const release = deferred();
    const sub = new StoreSubscription(store, () => release.promise, { checkpoints, name: 'slow' });
    // When a step runs
    const step = sub.runOnce();
    await flush();
    // Then no checkpoint yet; after release it points past the batch
    expect(await checkpoints.load('slow')).toBeUndefined();
    release.resolve();
    await step;
    expect(await checkpoints.load('slow')).toBe(3);
  });

  it('every close() made while the loop runs waits for the same loop to end', async () => {
    // Given a running subscription whose handler is held
    const store = new LogStore();
    store.append(1);
    const release = deferred();
    let handling = false;
    const sub = track(
      subscribeToStore(store, () => {
        handling = true;
        return release.promise;
      }),
    );
    await eventually(() => handling, 'the handler was not called');
    // When close() is called twice while the handler is still running
    let settled = 0;
    const first = sub.close().then(() => settled++);
    const second = sub.close().then(() => settled++);
    await flush();
    // Then neither has resolved; both resolve once the handler settles
    expect(settled).toBe(0);
    release.resolve();
    await Promise.all([first, second]);
    expect(settled).toBe(2);
  });

  it('a throwing handler checkpoints the events before it and the next step starts at it', async () => {
    // Given a handler that fails once on position 3
    const store = new LogStore();
    store.append(5);
    const checkpoints = new InMemoryCheckpointStore();
    const seen: number[] = [];
    let failed = false;
    const sub = new StoreSubscription(
      store,
      (e) => {
        if (e.position === 3 && !failed) {
          failed = true;
          throw new Error('boom');
        }
        seen.push(e.position);
      },
      { checkpoints, name: 'flaky' },
    );
    // When
    await expect(sub.runOnce()).rejects.toThrow('boom');
    expect(await checkpoints.load('flaky')).toBe(3);
    await sub.drain();
    // Then every event was handled once, in order
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('filter skips events but the checkpoint still moves past them', async () => {
    const store = new LogStore();
    store.append(2, 'a.kept');
    store.append(2, 'a.skipped');
    const checkpoints = new InMemoryCheckpointStore();
    const seen: string[] = [];
    const sub = new StoreSubscription(store, (e) => void seen.push(e.type), {
      checkpoints,
      name: 'f',
      filter: (e) => e.type === 'a.kept',
    });
    expect(await sub.drain()).toBe(4);
    expect(seen).toEqual(['a.kept', 'a.kept']);
    expect(sub.handledCount).toBe(2);
    expect(await checkpoints.load('f')).toBe(5);
  });

  it('is woken by an append on a store that signals them, without waiting for the poll', async () => {
    // Given a poll interval far beyond the wait bound
    const store = new LogStore({ wakes: true });
    const seen: StoredEvent[] = [];
    track(subscribeToStore(store, (e) => void seen.push(e), { pollIntervalMs: 600_000 }));
    await eventually(() => store.reads >= 1, 'the first (empty) read');
    // When an event is appended
    store.append(1);
    // Then it is handled well before the next poll would have run
    await eventually(() => seen.length === 1, 'the appended event, via the wake-up', 2_000);
  });

  it('close ends the loop; nothing is read after it', async () => {
    const store = new LogStore({ wakes: false });
    const sub = track(subscribeToStore(store, () => {}, { pollIntervalMs: 5 }));
    await eventually(() => store.reads >= 2, 'a couple of polls');
    await sub.close();
    const reads = store.reads;
    store.append(1);
    await flush();
    // The loop has ended (close resolved), so no read can follow, however long we look.
    expect(store.reads).toBe(reads);
    expect(sub.isRunning).toBe(false);
  });

  it.each([
    [{ batchSize: 0 }, 'batchSize'],
    [{ from: -1 }, 'from'],
    [{ from: 'middle' }, 'from'],
    [{ name: '' }, 'name'],
  ])('rejects %j', (options, field) => {
    expect(validationField(() => new StoreSubscription(new LogStore(), () => {}, options as never))).toBe(field);
  });
});

describe('readHeadPosition', () => {
  it("uses the store's headPosition, or scans the log without one", async () => {
    const withHead = new LogStore({ knowsHead: true });
    const without = new LogStore();
    expect(await readHeadPosition(without)).toBe(0);
    withHead.append(3);
    without.append(2_500);
    expect(await readHeadPosition(withHead)).toBe(3);
    expect(await readHeadPosition(without)).toBe(2_500);
  });
});
