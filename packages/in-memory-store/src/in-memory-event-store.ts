import {
  assertExpectedVersion,
  validateAppend,
  validateReadArgs,
  ValidationError,
  type AppendResult,
  type DomainEvent,
  type EventStore,
  type ExpectedVersion,
  type StoredEvent,
} from '@herald/core';
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
export class InMemoryEventStore implements EventStore {
  /** The global log: `log[p - 1]` is the event at position p. */
  private readonly log: StoredEvent[] = [];
  /** Each stream's events in version order; the same objects as in `log`. */
  private readonly streams = new Map<string, StoredEvent[]>();

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
      const copy = deepCopy(events[i]!) as StoredEvent;
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
    return copyRange(stream, Math.max(fromVersion, 1) - 1, stream.length);
  }

  async getAllEvents(fromPosition = 0, batchSize = 100): Promise<StoredEvent[]> {
    validateReadArgs(fromPosition, 'fromPosition', batchSize);
    const start = Math.max(fromPosition, 1) - 1;
    return copyRange(this.log, start, Math.min(start + batchSize, this.log.length));
  }

  /** Nothing to release; present so code can close any store the same way. */
  async close(): Promise<void> {}
}

function copyRange(events: readonly StoredEvent[], start: number, end: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (let i = start; i < end; i++) out.push(deepCopy(events[i]!));
  return out;
}
