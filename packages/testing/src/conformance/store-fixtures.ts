import { createDomainEvent, type DomainEvent, type EventStore, type StoredEvent } from '@herald/core';

/**
 * Event factories and read helpers shared by the store conformance cases.
 * Every event gets a distinct id and a `seq` in its data, so a case can tell
 * exactly which event came back where.
 */
let counter = 0;

export function domainEvent(
  streamId: string,
  data: Record<string, unknown> = {},
  overrides: Partial<DomainEvent> = {},
): DomainEvent {
  counter += 1;
  return createDomainEvent({
    type: 'conformance.item.added',
    aggregateId: streamId,
    aggregateType: 'ConformanceItem',
    data: { seq: counter, ...data },
    metadata: { source: 'store-conformance', environment: 'test' },
    ...overrides,
  });
}

export function domainEvents(streamId: string, count: number): DomainEvent[] {
  return Array.from({ length: count }, (_, i) => domainEvent(streamId, { index: i }));
}

/** The whole log in one read (the stores under test are small and fresh). */
export async function readAll(store: EventStore): Promise<StoredEvent[]> {
  return collectPages(store, 1_000);
}

/** Pages through the global log the way a subscriber does: from last position + 1 until empty. */
export async function collectPages(store: EventStore, batchSize: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let from = 0;
  for (;;) {
    const page = await store.getAllEvents(from, batchSize);
    if (page.length === 0) return out;
    if (page.length > batchSize) throw new Error(`page of ${page.length} events exceeds batchSize ${batchSize}`);
    out.push(...page);
    from = page[page.length - 1]!.position + 1;
  }
}

/** The last position in the log (0 when empty): what a new append must go beyond. */
export async function headPosition(store: EventStore): Promise<number> {
  const all = await readAll(store);
  return all.length === 0 ? 0 : all[all.length - 1]!.position;
}

export function ids(events: readonly { id: string }[]): string[] {
  return events.map((e) => e.id);
}

export function isStrictlyIncreasing(values: readonly number[]): boolean {
  for (let i = 1; i < values.length; i++) if (values[i]! <= values[i - 1]!) return false;
  return true;
}

/** Awaits every promise and splits the outcomes, so a case can count winners and losers. */
export async function settle<T>(promises: Promise<T>[]): Promise<{ fulfilled: T[]; rejected: unknown[] }> {
  const results = await Promise.allSettled(promises);
  return {
    fulfilled: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    rejected: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])),
  };
}
