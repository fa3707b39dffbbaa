/**
 * Event and retry fixtures for the packages' tests. The event factories are core's
 * `createIntegrationEvent` / `createDomainEvent`, passed in (this folder cannot import @herald/core).
 */
type IntegrationEventFactory<E> = (input: {
  type: string;
  service: string;
  action: string;
  payload: Record<string, unknown>;
  metadata: { source: string; environment: string };
}) => E;

/** `makeEvent(type?, overrides?)`: an integration event from `source` in environment `test`. */
export function eventMaker<E>(create: IntegrationEventFactory<E>, source: string): (type?: string, overrides?: Partial<E>) => E {
  return (type = 'test.thing.happened', overrides = {}) => ({
    ...create({ type, service: 'test', action: 'happened', payload: { n: 1 }, metadata: { source, environment: 'test' } }),
    ...overrides,
  });
}

type DomainEventFactory<E> = (input: {
  type: string;
  aggregateId: string;
  aggregateType: string;
  data: Record<string, unknown>;
  metadata: { source: string; environment: string };
}) => E;

/** `event(type, data?)`: a domain event of aggregate `agg-1` (type `Test`) from `source` in environment `test`. */
export function domainEventMaker<E>(create: DomainEventFactory<E>, source: string): (type: string, data?: Record<string, unknown>) => E {
  return (type, data = {}) =>
    create({ type, aggregateId: 'agg-1', aggregateType: 'Test', data, metadata: { source, environment: 'test' } });
}

/** A retry strategy without real waits: `maxAttempts` tries 1 ms apart, then a dead letter (unless turned off). */
export function fastRetry(maxAttempts: number, deadLetter = true) {
  return { maxAttempts, backoff: { type: 'fixed' as const, delay: 1 }, deadLetter: { enabled: deadLetter } };
}
