import type { EventStore, Upcasters } from '@herald/core';

/** What the event-sourcing conformance cases need: stores of the running case, with or without upcasters. */
export interface EventSourcingHarness {
  /** A fresh, empty store (closed after the case), upcasting on read when given upcasters. */
  store(options?: { upcasters?: Upcasters }): Promise<EventStore>;
}
