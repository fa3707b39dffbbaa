import type { DomainEvent } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { asDelivered, Inbox, richData, testEvent } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

/** Delivery of sound events and topic isolation. Capabilities: none. */
export function registerDeliveryCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  describe('delivery', () => {
    it(
      'delivers every published event to a matching subscriber, deep-equal to what JSON carries',
      async () => {
        // Given a subscriber
        const bus = await s.bus();
        const inbox = new Inbox();
        const subscription = await bus.subscribe('conformance.delivery.checked', inbox.handle);

        // When five events with nested data, unicode and Dates are published
        const sent = Array.from({ length: 5 }, (_, i) => testEvent('conformance.delivery.checked', richData(i)));
        for (const event of sent) await bus.publish(event);

        // Then each arrives once, equal to what was sent as JSON carries it (the timestamp a Date, a Date in data its ISO string)
        await s.until(() => sent.every((e) => inbox.has(e.id)), 'all 5 events to arrive');
        for (const event of sent) {
          const received = inbox.find(event.id) as DomainEvent;
          expect(received).toEqual(asDelivered(event));
          expect(received.timestamp).toBeInstanceOf(Date);
          expect((received.data.nested as { at: unknown }).at).toBe((event.data.nested as { at: Date }).at.toISOString());
          expect(inbox.count(event.id)).toBe(1);
        }
        for (const ctx of inbox.contexts) {
          expect(ctx.attempt).toBe(1);
          expect(ctx.subscription.id).toBe(subscription.id);
          expect(ctx.signal.aborted).toBe(false);
        }
      },
      s.caseTimeoutMs,
    );

    it(
      'delivers every event of a publishAll batch',
      async () => {
        // Given a subscriber to two types
        const bus = await s.bus();
        const inbox = new Inbox();
        await bus.subscribe('conformance.batch.*', inbox.handle);

        // When a batch of mixed types is published at once
        const batch = Array.from({ length: 10 }, (_, i) =>
          testEvent(i % 2 === 0 ? 'conformance.batch.even' : 'conformance.batch.odd', { seq: i }),
        );
        await bus.publishAll(batch);

        // Then every event of the batch arrives
        await s.until(() => batch.every((e) => inbox.has(e.id)), 'all 10 batched events to arrive');
        expect(inbox.events).toHaveLength(10);
      },
      s.caseTimeoutMs,
    );

    it(
      'isolates topics: each of 20 types reaches only its own subscriber',
      async () => {
        // Given one subscriber per type, on 20 types that share prefixes (t1, t10, …)
        const bus = await s.bus();
        const types = Array.from({ length: 20 }, (_, i) => `conformance.topic.t${i}`);
        const inboxes = types.map(() => new Inbox());
        for (let i = 0; i < types.length; i++) await bus.subscribe(types[i]!, inboxes[i]!.handle);

        // When three rounds of one event per type are published
        for (let round = 0; round < 3; round++) {
          for (const type of types) await bus.publish(testEvent(type, { round }));
        }

        // Then, once each type's sentinel arrived, every subscriber holds its own 3 events and the sentinel only
        await Promise.all(types.map((type, i) => s.sentinel(bus, type, [inboxes[i]!])));
        types.forEach((type, i) => {
          const inbox = inboxes[i]!;
          expect(inbox.types(), `subscriber of ${type}`).toEqual([type, type, type, type]);
        });
      },
      s.caseTimeoutMs,
    );
  });
}
