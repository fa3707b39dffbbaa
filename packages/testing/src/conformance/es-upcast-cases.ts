import { createUpcasters, type DomainEvent, schemaVersionOf, StoreSubscription, UpcastError } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import type { EventSourcingHarness } from './es-harness.js';
import { domainEvent } from './store-fixtures.js';

const TYPE = 'conformance.item.priced';

/** v1 { cents } → v2 { amount: { cents, currency } }. */
function priceV2() {
  return createUpcasters().register(TYPE, 1, (e) => ({ ...e, data: { amount: { cents: e.data?.cents, currency: 'EUR' } } }));
}

function v1(streamId: string, cents: number): DomainEvent {
  return domainEvent(streamId, { cents }, { type: TYPE, metadata: { source: 'store-conformance', environment: 'test', schemaVersion: 1 } as DomainEvent['metadata'] });
}

/** Events written in an old schema read back in the current one, from every read path. */
export function registerUpcastCases(h: EventSourcingHarness, { describe, it }: CaseRegistry): void {
  describe('upcasting on read', () => {
    it('getEvents, getAllEvents and subscriptions return old events in the current schema', async () => {
      // Given v1 events (they declare schemaVersion 1, so they are stored as they are)
      const store = await h.store({ upcasters: priceV2() });
      await store.saveEvents('p-1', [v1('p-1', 250), v1('p-1', 99)], 0);
      // When they are read
      const stream = await store.getEvents('p-1');
      const log = await store.getAllEvents(0, 10);
      const followed: DomainEvent[] = [];
      await new StoreSubscription(store, (e) => void followed.push(e)).drain();
      // Then every path sees v2, with aggregate versions and positions unchanged
      for (const events of [stream, log, followed]) {
        expect(events.map((e) => e.data.amount)).toEqual([
          { cents: 250, currency: 'EUR' },
          { cents: 99, currency: 'EUR' },
        ]);
        expect(events.map((e) => schemaVersionOf(e))).toEqual([2, 2]);
        expect(events.map((e) => e.version)).toEqual([1, 2]);
      }
      expect(log.map((e) => e.position)).toEqual([1, 2]);
    });

    it('new events saved through it are stamped with the current schema and never upcast again', async () => {
      const store = await h.store({ upcasters: priceV2() });
      const current = domainEvent('p-2', { amount: { cents: 5, currency: 'USD' } }, { type: TYPE });
      await store.saveEvents('p-2', [current], 0);
      const [read] = await store.getEvents('p-2');
      expect(read!.data.amount).toEqual({ cents: 5, currency: 'USD' });
      expect(read!.data.cents).toBeUndefined();
      expect(schemaVersionOf(read!)).toBe(2);
    });

    it('a gap in the chain fails the read with an UpcastError naming type and versions', async () => {
      const gapped = createUpcasters().register(TYPE, 2, (e) => e);
      const store = await h.store({ upcasters: gapped });
      await store.saveEvents('p-3', [v1('p-3', 1)], 0);
      const error = await store.getEvents('p-3').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpcastError);
      expect(error).toMatchObject({ eventType: TYPE, fromSchemaVersion: 1, toSchemaVersion: 2 });
    });
  });
}
