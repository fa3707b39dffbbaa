import { createDomainEvent, type DomainEvent } from '@herald/core';

export function event<D extends Record<string, unknown>>(type: string, data: D = {} as D): DomainEvent<D> {
  return createDomainEvent({
    type,
    aggregateId: 'a-1',
    aggregateType: 'Test',
    data,
    metadata: { source: 'testing-unit', environment: 'test' },
  });
}
