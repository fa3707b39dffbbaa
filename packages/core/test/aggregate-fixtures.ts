import { vi } from 'vitest';
import {
  type AppendResult,
  createDomainEvent,
  type DomainEvent,
  EventSourcedAggregate,
  type EventStore,
  type ExpectedVersion,
  type MetadataInput,
  type StoredEvent,
} from '../src/index.js';
import { assertExpectedVersion } from '../src/transport.js';

/** The aggregate, history events and store double shared by the aggregate and snapshot specs. */
export type CounterEvent = DomainEvent<{ by: number }>;

export class Counter extends EventSourcedAggregate<CounterEvent> {
  readonly aggregateType = 'counter';
  total = 0;
  // biome-ignore lint/complexity/noUselessConstructor: makes the base class's protected constructor public
  constructor(id: string) {
    super(id);
  }
  apply(event: CounterEvent): void {
    if (event.data.by < 0) throw new Error('counters only go up');
    this.total += event.data.by;
  }
  increment(by: number, metadata?: Partial<MetadataInput>): CounterEvent {
    return this.raise('counter.incremented', { by }, metadata);
  }
}

export class TaggedCounter extends Counter {
  protected override eventMetadata(): MetadataInput {
    return { source: 'billing-service', environment: 'staging', userId: 'u-1' };
  }
}

export function historyEvent(version: number, by = 1): CounterEvent {
  return createDomainEvent({
    type: 'counter.incremented',
    aggregateId: 'c-1',
    aggregateType: 'counter',
    data: { by },
    version,
    metadata: { source: 'test', environment: 'test' },
  });
}

/** Test double: an event store with the contract's expected-version check and global positions. */
export class TinyStore implements EventStore {
  readonly streams = new Map<string, StoredEvent[]>();
  private position = 0;
  saveEvents = vi.fn(async (streamId: string, events: DomainEvent[], expected: ExpectedVersion): Promise<AppendResult> => {
    const stream = this.streams.get(streamId) ?? [];
    assertExpectedVersion(streamId, expected, stream.length);
    const stored = events.map((e, i) => ({ ...structuredClone(e), version: stream.length + i + 1, position: ++this.position }));
    this.streams.set(streamId, [...stream, ...stored]);
    return { nextExpectedVersion: stream.length + stored.length, lastPosition: this.position };
  });
  async getEvents(streamId: string, fromVersion = 0): Promise<StoredEvent[]> {
    return (this.streams.get(streamId) ?? []).filter((e) => e.version >= fromVersion).map((e) => structuredClone(e));
  }
  async getAllEvents(): Promise<StoredEvent[]> {
    return [...this.streams.values()].flat().sort((a, b) => a.position - b.position);
  }
}

