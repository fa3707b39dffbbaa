import type { EventStore } from '@herald/core';

/** What a group of conformance cases needs from the suite: the case's store and, maybe, a peer. */
export interface StoreHarness {
  /** The fresh store of the running case. */
  store(): EventStore;
  /** Whether the adapter can open a second instance over the same data. */
  readonly hasPeer: boolean;
  /** A second instance over the same data on its own connection; closed after the case. */
  peer(): Promise<EventStore>;
}
