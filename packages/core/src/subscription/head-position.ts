import type { EventStore } from '../store/types.js';

/** Events read per page when a store cannot tell its head directly. */
const SCAN_PAGE = 1_000;

/**
 * The position of the last event in the store's log (0 when empty): the store's
 * own `headPosition()` when it has one, otherwise the last position of a scan
 * of the log (O(log size), so stores should implement it).
 */
export async function readHeadPosition(store: EventStore): Promise<number> {
  if (typeof store.headPosition === 'function') return store.headPosition();
  let head = 0;
  for (;;) {
    const page = await store.getAllEvents(head + 1, SCAN_PAGE);
    if (page.length === 0) return head;
    head = page[page.length - 1]!.position;
    if (page.length < SCAN_PAGE) return head;
  }
}
