import {
  createDomainEvent,
  type BaseEvent,
  type DomainEvent,
  type HandlerContext,
  type RetryStrategy,
} from '@herald/core';

/** Builds a sound domain event of `type` for the conformance cases. */
export function testEvent<D extends Record<string, unknown>>(type: string, data: D = {} as D): DomainEvent<D> {
  return createDomainEvent({
    type,
    aggregateId: 'conformance-1',
    aggregateType: 'Conformance',
    data,
    metadata: { source: 'herald-conformance', environment: 'test' },
  });
}

/**
 * `event` as a handler receives it on every transport: what JSON carries, with only the
 * envelope's timestamp a Date (a Date in `data` becomes its ISO string).
 */
export function asDelivered<E extends DomainEvent>(event: E): E {
  return { ...event, data: JSON.parse(JSON.stringify(event.data)) };
}

/** Data exercising the wire: nested objects and arrays, a Date, unicode, null, numbers. */
export function richData(seq: number): Record<string, unknown> {
  return {
    seq,
    label: 'naïve café ✓ 日本語 🚀',
    amount: 12.5,
    negative: -3,
    flag: true,
    nothing: null,
    tags: ['a', 'b', 'c'],
    nested: {
      at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
      list: [{ k: 1 }, { k: [2, 3] }],
      deeper: { quote: 'he said "hi"\n', empty: {} },
    },
  };
}

/** Retries that keep cases quick: `maxAttempts` tries, 10 ms apart, dead letters on. */
export function fastRetry(maxAttempts: number): RetryStrategy {
  return { maxAttempts, backoff: { type: 'fixed', delay: 10 }, deadLetter: { enabled: true } };
}

/** The error the failing handlers of the suite throw, so dead letters can be recognised. */
export class ConformanceHandlerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceHandlerError';
  }
}

/** Records what a subscription's handler received; `handle` is the handler to subscribe. */
export class Inbox {
  readonly events: BaseEvent[] = [];
  readonly contexts: HandlerContext[] = [];

  constructor(private readonly onEvent?: (event: BaseEvent, ctx: HandlerContext) => Promise<void> | void) {}

  readonly handle = async (event: BaseEvent, ctx: HandlerContext): Promise<void> => {
    this.events.push(event);
    this.contexts.push(ctx);
    if (this.onEvent) await this.onEvent(event, ctx);
  };

  has(id: string): boolean {
    return this.events.some((e) => e.id === id);
  }

  count(id: string): number {
    let n = 0;
    for (const e of this.events) if (e.id === id) n++;
    return n;
  }

  find(id: string): BaseEvent | undefined {
    return this.events.find((e) => e.id === id);
  }

  ids(): string[] {
    return this.events.map((e) => e.id);
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }
}

/** Distinct event ids across several inboxes (the members of a group). */
export function distinctIds(inboxes: readonly Inbox[]): Set<string> {
  const ids = new Set<string>();
  for (const inbox of inboxes) for (const e of inbox.events) ids.add(e.id);
  return ids;
}

/** Deliveries across several inboxes, duplicates included. */
export function totalDeliveries(inboxes: readonly Inbox[]): number {
  return inboxes.reduce((n, inbox) => n + inbox.events.length, 0);
}

/** `data.seq` of an event built with a `seq` field. */
export function seqOf(event: BaseEvent): number {
  return (event as DomainEvent<{ seq: number }>).data.seq;
}
