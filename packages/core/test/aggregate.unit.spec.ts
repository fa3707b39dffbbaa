import { describe, expect, it, } from 'vitest';
import { AggregateRepository, ConcurrencyError, ValidationError } from '../src/index.js';
import { Counter, historyEvent, TaggedCounter, TinyStore } from './aggregate-fixtures.js';

describe('EventSourcedAggregate', () => {
  it('raises events with 1-based versions, applies them and records them as changes', () => {
    // Given
    const counter = new Counter('c-1');
    // When
    const first = counter.increment(2);
    const second = counter.increment(3);
    // Then
    expect([first.version, second.version]).toEqual([1, 2]);
    expect(counter.version).toBe(2);
    expect(counter.committedVersion).toBe(0);
    expect(counter.total).toBe(5);
    expect(counter.changes).toEqual([first, second]);
    expect(first).toMatchObject({
      type: 'counter.incremented',
      aggregateId: 'c-1',
      aggregateType: 'counter',
      data: { by: 2 },
      metadata: { source: 'counter' },
    });
    expect(first.metadata.correlationId).toBeTruthy();
  });

  it('stamps raised events with the aggregate metadata, overridable per event', () => {
    // Given
    const counter = new TaggedCounter('c-1');
    // When
    const plain = counter.increment(1);
    const caused = counter.increment(1, { correlationId: 'corr-9', causationId: 'cmd-9' });
    // Then
    expect(plain.metadata).toMatchObject({ source: 'billing-service', environment: 'staging', userId: 'u-1' });
    expect(caused.metadata).toMatchObject({ source: 'billing-service', correlationId: 'corr-9', causationId: 'cmd-9' });
  });

  it('continues the version after history; committedVersion is the version loaded', () => {
    // Given
    const counter = new Counter('c-1');
    counter.loadFromHistory([historyEvent(1, 1), historyEvent(2, 1), historyEvent(3, 1)]);
    // When
    const next = counter.increment(10);
    // Then
    expect(next.version).toBe(4);
    expect(counter.version).toBe(4);
    expect(counter.committedVersion).toBe(3);
    expect(counter.total).toBe(13);
  });

  it('markCommitted clears the changes, leaving the version', () => {
    // Given
    const counter = new Counter('c-1');
    counter.increment(1);
    counter.increment(1);
    // When
    counter.markCommitted();
    // Then
    expect(counter.changes).toEqual([]);
    expect(counter.version).toBe(2);
    expect(counter.committedVersion).toBe(2);
  });

  it('loadFromHistory rejects a gap, a repeat or a history not starting at 1, applying nothing after it', () => {
    // Given / When / Then
    const gap = new Counter('c-1');
    expect(() => gap.loadFromHistory([historyEvent(1), historyEvent(3)])).toThrow(ValidationError);
    expect(gap.version).toBe(1);
    expect(gap.total).toBe(1);

    expect(() => new Counter('c-1').loadFromHistory([historyEvent(2)])).toThrow(/version 0 cannot apply event version 2/);
    expect(() => new Counter('c-1').loadFromHistory([historyEvent(1), historyEvent(1)])).toThrow(ValidationError);
  });

  it('records nothing when apply throws', () => {
    // Given
    const counter = new Counter('c-1');
    counter.increment(1);
    // When
    expect(() => counter.increment(-1)).toThrow('counters only go up');
    // Then
    expect(counter.version).toBe(1);
    expect(counter.changes).toHaveLength(1);
  });

  it('rejects an empty id', () => {
    expect(() => new Counter('')).toThrow(ValidationError);
  });
});

describe('AggregateRepository', () => {
  it('loads a fresh aggregate at version 0 for a missing stream', async () => {
    // Given
    const repo = new AggregateRepository(new TinyStore(), (id) => new Counter(id));
    // When
    const counter = await repo.load('c-new');
    // Then
    expect(counter.id).toBe('c-new');
    expect(counter.version).toBe(0);
    expect(counter.changes).toEqual([]);
  });

  it('saves the changes expecting the version loaded (not the version after them), then reloads them', async () => {
    // Given
    const store = new TinyStore();
    const repo = new AggregateRepository(store, (id) => new Counter(id));
    const counter = await repo.load('c-1');
    counter.increment(2);
    counter.increment(3);
    // When
    const saved = await repo.save(counter);
    // Then
    expect(store.saveEvents).toHaveBeenCalledTimes(1);
    expect(store.saveEvents.mock.calls[0]![2]).toBe(0);
    expect(saved.events.map((e) => e.version)).toEqual([1, 2]);
    expect(saved.result).toEqual({ nextExpectedVersion: 2, lastPosition: 2 });
    expect(counter.changes).toEqual([]);
    // When saved again after more changes
    counter.increment(5);
    await repo.save(counter);
    // Then
    expect(store.saveEvents.mock.calls[1]![2]).toBe(2);
    const reloaded = await repo.load('c-1');
    expect(reloaded.version).toBe(3);
    expect(reloaded.total).toBe(10);
  });

  it('a stale copy gets ConcurrencyError, nothing is written and its changes are kept', async () => {
    // Given two copies loaded at the same version
    const store = new TinyStore();
    const repo = new AggregateRepository(store, (id) => new Counter(id));
    const seed = await repo.load('c-1');
    seed.increment(1);
    await repo.save(seed);
    const fresh = await repo.load('c-1');
    const stale = await repo.load('c-1');
    fresh.increment(10);
    stale.increment(100);
    await repo.save(fresh);
    // When
    const saving = repo.save(stale);
    // Then
    await expect(saving).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(saving).rejects.toMatchObject({ streamId: 'c-1', expectedVersion: 1, actualVersion: 2 });
    expect(stale.changes).toHaveLength(1);
    const reloaded = await repo.load('c-1');
    expect(reloaded.total).toBe(11);
    expect(reloaded.version).toBe(2);
  });

  it('does not touch the store when there are no changes', async () => {
    // Given
    const store = new TinyStore();
    const repo = new AggregateRepository(store, (id) => new Counter(id));
    // When
    const saved = await repo.save(await repo.load('c-1'));
    // Then
    expect(saved).toEqual({ events: [], result: undefined });
    expect(store.saveEvents).not.toHaveBeenCalled();
  });

  it('maps aggregate ids to stream ids when asked to', async () => {
    // Given
    const store = new TinyStore();
    const repo = new AggregateRepository(store, (id) => new Counter(id), { streamId: (id) => `counter-${id}` });
    const counter = await repo.load('7');
    counter.increment(1);
    // When
    await repo.save(counter);
    // Then
    expect([...store.streams.keys()]).toEqual(['counter-7']);
    expect((await repo.load('7')).total).toBe(1);
  });
});
