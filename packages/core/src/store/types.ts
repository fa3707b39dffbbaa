import type { DomainEvent } from '../events/types.js';

/**
 * `n`: the stream has exactly n events now (0 = new or empty stream).
 * `'no-stream'`: the stream has no events. `'stream-exists'`: it has at least one.
 * `'any'`: no check.
 */
export type ExpectedVersion = number | 'any' | 'no-stream' | 'stream-exists';

export type StoredEvent<E extends DomainEvent = DomainEvent> = E & { version: number; position: number };

export interface AppendResult {
  /** The stream's version after the append (= its number of events). */
  nextExpectedVersion: number;
  /** Global position of the last event appended (or the current head for an empty batch). */
  lastPosition: number;
}

export interface EventStore {
  saveEvents(streamId: string, events: DomainEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult>;
  /** Events with version ≥ fromVersion (default 0), in order; `[]` for a missing stream. */
  getEvents(streamId: string, fromVersion?: number): Promise<StoredEvent[]>;
  /** Up to batchSize (default 100) events with position ≥ fromPosition (default 0), in position order. */
  getAllEvents(fromPosition?: number, batchSize?: number): Promise<StoredEvent[]>;
  /**
   * The position of the last event in the log (0 when empty). Optional: catch-up
   * subscriptions use it for `from: 'end'` and rebuild progress, and page through
   * the log without it.
   */
  headPosition?(): Promise<number>;
  /**
   * Calls `listener` after each append this instance made (a cheap wake-up for
   * subscriptions that would otherwise wait for their next poll). Returns the
   * unsubscribe function. Optional; appends by other processes are seen by polling.
   */
  onAppend?(listener: () => void): () => void;
  close?(): Promise<void>;
}
