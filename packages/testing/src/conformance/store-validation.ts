import { isHeraldError, ValidationError, type DomainEvent, type EventStore } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { domainEvent, readAll } from './store-fixtures.js';
import type { StoreHarness } from './store-harness.js';

type Call = (store: EventStore, event: DomainEvent) => Promise<unknown>;

/** Bad arguments are ValidationErrors naming the field, and are rejected before anything is written. */
export function registerValidationCases(h: StoreHarness, { describe, it }: CaseRegistry): void {
  describe('invalid arguments', () => {
    const cases: Array<{ title: string; field: string; call: Call }> = [
      { title: 'an empty stream id', field: 'streamId', call: (s, e) => s.saveEvents('', [e], 0) },
      { title: 'a non-string stream id', field: 'streamId', call: (s, e) => s.saveEvents(42 as unknown as string, [e], 0) },
      { title: 'a negative expected version', field: 'expectedVersion', call: (s, e) => s.saveEvents('v', [e], -1) },
      { title: 'a fractional expected version', field: 'expectedVersion', call: (s, e) => s.saveEvents('v', [e], 1.5) },
      { title: 'an unknown expected-version mode', field: 'expectedVersion', call: (s, e) => s.saveEvents('v', [e], 'latest' as 'any') },
      { title: 'events that are not an array', field: 'events', call: (s, e) => s.saveEvents('v', e as unknown as DomainEvent[], 0) },
      { title: 'an event without an id', field: 'events[0].id', call: (s, e) => s.saveEvents('v', [{ ...e, id: '' }], 0) },
      {
        title: 'an invalid timestamp in the second event',
        field: 'events[1].timestamp',
        call: (s, e) => s.saveEvents('v', [e, { ...domainEvent('v'), timestamp: new Date('nope') }], 0),
      },
      {
        title: 'an event that is not a domain event',
        field: 'events[0]',
        call: (s, e) => s.saveEvents('v', [{ ...e, aggregateId: undefined } as unknown as DomainEvent], 0),
      },
      { title: 'data JSON cannot carry', field: 'events[0].data.big', call: (s, e) => s.saveEvents('v', [{ ...e, data: { big: 1n } }], 0) },
      { title: 'an empty stream id on read', field: 'streamId', call: (s) => s.getEvents('') },
      { title: 'a negative fromVersion', field: 'fromVersion', call: (s) => s.getEvents('v', -1) },
      { title: 'a fractional fromVersion', field: 'fromVersion', call: (s) => s.getEvents('v', 0.5) },
      { title: 'a negative fromPosition', field: 'fromPosition', call: (s) => s.getAllEvents(-1) },
      { title: 'a batchSize of 0', field: 'batchSize', call: (s) => s.getAllEvents(0, 0) },
      { title: 'a non-integer batchSize', field: 'batchSize', call: (s) => s.getAllEvents(0, 2.5) },
    ];

    for (const { title, field, call } of cases) {
      it(`rejects ${title} with ValidationError naming ${field}`, async () => {
        // Given an empty store
        const store = h.store();

        // When it is called with the bad argument
        const error = await call(store, domainEvent('v')).then(
          () => undefined,
          (e: unknown) => e,
        );

        // Then the promise rejects (never throws synchronously) with the field named, and nothing was written
        expect(error).toBeInstanceOf(ValidationError);
        expect(isHeraldError(error, 'VALIDATION')).toBe(true);
        expect((error as ValidationError).field).toBe(field);
        expect(await readAll(store)).toEqual([]);
      });
    }
  });
}
