import { afterEach, describe, expect, it } from 'vitest';
import {
  type BaseEvent,
  type CheckpointStore,
  type DomainEvent,
  InMemoryCheckpointStore,
  OutboxRelay,
  ValidationError,
} from '../src/index.js';
import { deferred, eventually, flush, recordingLogger } from './helpers.js';
import { LogStore } from './log-store.js';

/** Test double: records what was published; `fail` decides which publishes reject. */
function recordingBus(fail: (event: BaseEvent, n: number) => boolean = () => false) {
  const published: BaseEvent[] = [];
  let n = 0;
  return {
    published,
    async publish(event: BaseEvent) {
      n++;
      if (fail(event, n)) throw new Error(`publish ${n} refused`);
      published.push(event);
    },
  };
}

const positions = (events: BaseEvent[]) => events.map((e) => (e as DomainEvent<{ position: number }>).data.position);

const relays: OutboxRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

describe('OutboxRelay', () => {
  it('publishes in position order from the checkpoint, without the position field, and moves the checkpoint', async () => {
    // Given
    const store = new LogStore();
    store.append(5);
    const bus = recordingBus();
    const checkpoints = new InMemoryCheckpointStore();
    const relay = new OutboxRelay(store, bus, checkpoints, { name: 'orders' });
    // When
    const n = await relay.runOnce();
    // Then
    expect(n).toBe(5);
    expect(positions(bus.published)).toEqual([1, 2, 3, 4, 5]);
    expect(bus.published.every((e) => !('position' in e))).toBe(true);
    expect(await checkpoints.load('orders')).toBe(6);
    expect(relay.publishedCount).toBe(5);
  });

  it('continues from a stored checkpoint', async () => {
    // Given
    const store = new LogStore();
    store.append(5);
    const checkpoints = new InMemoryCheckpointStore();
    await checkpoints.save('outbox', 4);
    const bus = recordingBus();
    // When
    await new OutboxRelay(store, bus, checkpoints).runOnce();
    // Then
    expect(positions(bus.published)).toEqual([4, 5]);
  });

  it('saves the checkpoint only after the bus accepted the events', async () => {
    // Given a bus that holds the first publish
    const store = new LogStore();
    store.append(2);
    const gate = deferred();
    const published: BaseEvent[] = [];
    const bus = {
      async publish(event: BaseEvent) {
        await gate.promise;
        published.push(event);
      },
    };
    const checkpoints = new InMemoryCheckpointStore();
    const relay = new OutboxRelay(store, bus, checkpoints);
    // When
    const running = relay.runOnce();
    await flush();
    // Then nothing is checkpointed while the publish is pending
    expect(await checkpoints.load('outbox')).toBeUndefined();
    gate.resolve();
    await running;
    expect(await checkpoints.load('outbox')).toBe(3);
  });

  it('a failure mid-batch checkpoints the accepted prefix, rethrows, and the next run starts at the failed event', async () => {
    // Given the third publish fails once
    const store = new LogStore();
    store.append(5);
    const bus = recordingBus((_e, n) => n === 3);
    const checkpoints = new InMemoryCheckpointStore();
    const relay = new OutboxRelay(store, bus, checkpoints);
    // When
    await expect(relay.runOnce()).rejects.toThrow('publish 3 refused');
    // Then
    expect(positions(bus.published)).toEqual([1, 2]);
    expect(await checkpoints.load('outbox')).toBe(3);
    // When run again
    await relay.runOnce();
    // Then every event was accepted exactly once, in order
    expect(positions(bus.published)).toEqual([1, 2, 3, 4, 5]);
    expect(await checkpoints.load('outbox')).toBe(6);
  });

  it('a failure on the first event saves no checkpoint', async () => {
    const store = new LogStore();
    store.append(2);
    const checkpoints: CheckpointStore & { saves: number } = Object.assign(new InMemoryCheckpointStore(), { saves: 0 });
    const save = checkpoints.save.bind(checkpoints);
    checkpoints.save = async (name, position) => {
      checkpoints.saves++;
      await save(name, position);
    };
    const relay = new OutboxRelay(store, recordingBus(() => true), checkpoints);
    await expect(relay.runOnce()).rejects.toThrow();
    expect(checkpoints.saves).toBe(0);
  });

  it('drain publishes batch after batch until the log is caught up', async () => {
    // Given
    const store = new LogStore();
    store.append(250);
    const bus = recordingBus();
    const checkpoints = new InMemoryCheckpointStore();
    const relay = new OutboxRelay(store, bus, checkpoints, { batchSize: 100 });
    // When
    const n = await relay.drain();
    // Then
    expect(n).toBe(250);
    expect(positions(bus.published)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(await checkpoints.load('outbox')).toBe(251);
    expect(await relay.drain()).toBe(0);
  });

  it('start tails the log until close; close resolves once the loop has ended', async () => {
    // Given
    const store = new LogStore();
    store.append(3);
    const bus = recordingBus();
    const checkpoints = new InMemoryCheckpointStore();
    const relay = new OutboxRelay(store, bus, checkpoints, { pollIntervalMs: 5, batchSize: 2 });
    relays.push(relay);
    // When
    relay.start();
    relay.start(); // idempotent: one loop
    await eventually(() => bus.published.length === 3, 'the first three events');
    store.append(2);
    await eventually(() => bus.published.length === 5, 'events appended while running');
    await relay.close();
    // Then nothing was published twice
    expect(positions(bus.published)).toEqual([1, 2, 3, 4, 5]);
    // And after close the loop no longer runs: an event appended now is still there to publish
    store.append(1);
    const readsAfterStop = store.reads;
    expect(await relay.drain()).toBe(1);
    expect(store.reads).toBe(readsAfterStop + 1);
    await relay.close(); // idempotent
  });

  it('keeps running after a failing step, backing off, and logs the failure', async () => {
    // Given the first publish fails
    const store = new LogStore();
    store.append(2);
    const logger = recordingLogger();
    const bus = recordingBus((_e, n) => n === 1);
    const relay = new OutboxRelay(store, bus, new InMemoryCheckpointStore(), { pollIntervalMs: 5, errorBackoffMs: 5, logger });
    relays.push(relay);
    // When
    relay.start();
    // Then
    await eventually(() => bus.published.length === 2, 'both events published after the failure');
    expect(positions(bus.published)).toEqual([1, 2]);
    expect(logger.lines.find((l) => l.message === 'store subscription step failed')?.fields).toMatchObject({ error: 'publish 1 refused' });
  });

  it('can be started again after close', async () => {
    const store = new LogStore();
    const bus = recordingBus();
    const relay = new OutboxRelay(store, bus, new InMemoryCheckpointStore(), { pollIntervalMs: 5 });
    relays.push(relay);
    relay.start();
    await relay.close();
    store.append(1);
    relay.start();
    await eventually(() => bus.published.length === 1, 'the event published after restart');
  });

  it('stop() is a deprecated alias of close(): the loop ends, the checkpoint store stays usable', async () => {
    // Given a running relay
    const store = new LogStore();
    const bus = recordingBus();
    const checkpoints = new InMemoryCheckpointStore();
    const relay = new OutboxRelay(store, bus, checkpoints, { pollIntervalMs: 5 });
    relays.push(relay);
    relay.start();
    store.append(1);
    await eventually(() => bus.published.length === 1, 'the first event');
    // When
    await relay.stop();
    // Then the loop has ended: an event appended now waits for the next drain
    store.append(1);
    const reads = store.reads;
    expect(await relay.drain()).toBe(1);
    expect(store.reads).toBe(reads + 1);
    // And closing the in-memory checkpoint store keeps what it saved readable (nothing to release)
    await checkpoints.close();
    expect(await checkpoints.load('outbox')).toBe(3);
  });

  it.each([0, -1, 1.5])('rejects batchSize %s', (batchSize) => {
    expect(() => new OutboxRelay(new LogStore(), recordingBus(), new InMemoryCheckpointStore(), { batchSize })).toThrow(ValidationError);
  });
});
