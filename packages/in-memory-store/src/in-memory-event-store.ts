import {
  ValidationError,
  type AppendResult,
  type DomainEvent,
  type EventStore,
  type ExpectedVersion,
  type StoredEvent,
  type Upcasters,
} from '@herald/core';
import { assertExpectedVersion, validateAppend, validateReadArgs, upcastAll } from '@herald/core/transport';
import { deepCopy } from './deep-copy.js';

/**
 * An event store in process memory, with the exact semantics of every Herald
 * store: expected-version checks, all-or-nothing batches, global positions.
 *
 * - Each method does all its work before its first (and only) await point, and
 *   JavaScript runs it to completion, so check-then-append is atomic without locks.
 * - Positions are dense (1, 2, 3, …) and the global log is an array indexed by
 *   position - 1, so a page of the log costs O(batchSize) whatever the log's size.
 * - Events are copied on the way in and on the way out: callers can mutate what
 *   they passed or got back without changing the store.
 */
export interface InMemoryEventStoreOptions {
  /** Applied to every event read (getEvents, getAllEvents); saved events get the current schema version stamped. */
  upcasters?: Upcasters;
}

export class InMemoryEventStore implements EventStore {
  /** The global log: `log[p - 1]` is the event at position p. */
  private readonly log: StoredEvent[] = [];
  /** Each stream's events in version order; the same objects as in `log`. */
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly upcasters: Upcasters | undefined;
  private readonly appendListeners = new Set<() => void>();

  constructor(options: InMemoryEventStoreOptions = {}) {
    if (options === null || typeof options !== 'object') throw new ValidationError('options', 'must be an object');
    this.upcasters = options.upcasters !== undefined && options.upcasters.size > 0 ? options.upcasters : undefined;
  }

  async saveEvents(streamId: string, events: DomainEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    validateAppend(streamId, events, expectedVersion);
    const stream = this.streams.get(streamId);
    const actual = stream?.length ?? 0;
    assertExpectedVersion(streamId, expectedVersion, actual);
    if (events.length === 0) return { nextExpectedVersion: actual, lastPosition: this.log.length };

    // Copy the whole batch before touching any state, so nothing is half-written if a copy throws.
    const head = this.log.length;
    const stored = new Array<StoredEvent>(events.length);
    for (let i = 0; i < events.length; i++) {
      // Stamp the copy in place rather than spreading it: one object per event, not two.
      const event = this.upcasters === undefined ? events[i]! : this.upcasters.stamp(events[i]!);
      const copy = deepCopy(event) as StoredEvent;
      copy.version = actual + i + 1;
      copy.position = head + i + 1;
      stored[i] = copy;
    }
    const target = stream ?? [];
    for (const event of stored) {
      target.push(event);
      this.log.push(event);
    }
    if (stream === undefined) this.streams.set(streamId, target);
    // A wake-up only: a listener that throws must not turn a written append into a failure.
    for (const listener of this.appendListeners) {
      try {
        listener();
      } catch {}
    }
    return { nextExpectedVersion: target.length, lastPosition: this.log.length };
  }

  async getEvents(streamId: string, fromVersion = 0): Promise<StoredEvent[]> {
    if (typeof streamId !== 'string' || streamId.length === 0) {
      throw new ValidationError('streamId', 'must be a non-empty string');
    }
    validateReadArgs(fromVersion, 'fromVersion');
    const stream = this.streams.get(streamId);
    if (stream === undefined) return [];
    // Versions are 1-based and dense, so version v sits at index v - 1.
    return upcastAll(copyRange(stream, Math.max(fromVersion, 1) - 1, stream.length), this.upcasters);
  }

  async getAllEvents(fromPosition = 0, batchSize = 100): Promise<StoredEvent[]> {
    validateReadArgs(fromPosition, 'fromPosition', batchSize);
    const start = Math.max(fromPosition, 1) - 1;
    return upcastAll(copyRange(this.log, start, Math.min(start + batchSize, this.log.length)), this.upcasters);
  }

  async headPosition(): Promise<number> {
    return this.log.length;
  }

  /** Calls `listener` synchronously after every append: catch-up subscriptions wake at once. */
  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }


  /** Nothing to release; present so code can close any store the same way. */
  async close(): Promise<void> {}
}

function copyRange(events: readonly StoredEvent[], start: number, end: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (let i = start; i < end; i++) out.push(deepCopy(events[i]!));
  return out;
}
