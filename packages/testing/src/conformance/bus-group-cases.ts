import { isHeraldError } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { distinctIds, Inbox, testEvent, totalDeliveries } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

/** Consumer groups. Capabilities: consumerGroups (or its absence). */
export function registerGroupCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  describe('consumer groups', () => {
    it(
      'competing consumers: members of a group share the events, each event goes to one member [consumerGroups]',
      async (ctx) => {
        // Given three members of one group whose handlers stay busy until released
        const bus = await s.bus();
        s.requires(ctx, bus, 'consumerGroups');
        const gate = s.gate();
        const members = [0, 1, 2].map(() => new Inbox(() => gate.wait()));
        for (const m of members) await bus.subscribe('conformance.work.#', m.handle, { group: 'workers' });

        // When 30 events are published
        const sent = Array.from({ length: 30 }, (_, i) => testEvent('conformance.work.item', { seq: i }));
        for (const e of sent) await bus.publish(e);

        // Then, while the first member is busy, the others take events: all three are working at once
        await s.until(() => members.every((m) => m.events.length === 1), 'each of the 3 busy members to hold one event');
        gate.open();

        // And every event is handled by exactly one member
        await s.until(() => distinctIds(members).size === 30, 'all 30 events to be handled by the group');
        const sentinel = testEvent('conformance.work.item', { sentinel: true });
        await bus.publish(sentinel);
        await s.until(() => distinctIds(members).has(sentinel.id), 'the sentinel to be handled by the group');
        expect(totalDeliveries(members), 'deliveries across the group (a duplicate would show here)').toBe(31);
      },
      s.caseTimeoutMs,
    );

    it(
      'fans out across groups: every group and every ungrouped subscriber gets every event [consumerGroups]',
      async (ctx) => {
        // Given two groups of two members and two ungrouped subscribers on one pattern
        const bus = await s.bus();
        s.requires(ctx, bus, 'consumerGroups');
        const alpha = [new Inbox(), new Inbox()];
        const beta = [new Inbox(), new Inbox()];
        const loners = [new Inbox(), new Inbox()];
        for (const m of alpha) await bus.subscribe('conformance.fanout.#', m.handle, { group: 'alpha' });
        for (const m of beta) await bus.subscribe('conformance.fanout.#', m.handle, { group: 'beta' });
        for (const l of loners) await bus.subscribe('conformance.fanout.#', l.handle);

        // When 20 events are published, then a sentinel
        const sent = Array.from({ length: 20 }, (_, i) => testEvent('conformance.fanout.item', { seq: i }));
        for (const e of sent) await bus.publish(e);
        const sentinel = testEvent('conformance.fanout.item', { sentinel: true });
        await bus.publish(sentinel);

        // Then each group as a whole and each ungrouped subscriber got all 21, once
        const all = [...sent.map((e) => e.id), sentinel.id];
        const complete = (ids: Set<string>) => all.every((id) => ids.has(id));
        await s.until(
          () =>
            complete(distinctIds(alpha)) &&
            complete(distinctIds(beta)) &&
            loners.every((l) => complete(new Set(l.ids()))),
          'every group and ungrouped subscriber to receive all 21 events',
        );
        expect(totalDeliveries(alpha), 'deliveries in group alpha').toBe(21);
        expect(totalDeliveries(beta), 'deliveries in group beta').toBe(21);
        for (const l of loners) expect(l.events, 'deliveries to an ungrouped subscriber').toHaveLength(21);
      },
      s.caseTimeoutMs,
    );

    it(
      'rejects `group` with UnsupportedError when the transport has no consumer groups [no consumerGroups]',
      async (ctx) => {
        const bus = await s.bus();
        if (s.capabilities(bus).consumerGroups) ctx.skip(`${s.name} supports consumer groups`);

        // When subscribing with a group
        const attempt = bus.subscribe('conformance.nogroup.#', () => {}, { group: 'workers' });

        // Then it is refused, and ungrouped subscriptions still work
        const error = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isHeraldError(error, 'UNSUPPORTED'), `expected UnsupportedError, got ${String(error)}`).toBe(true);
        const inbox = new Inbox();
        await bus.subscribe('conformance.nogroup.#', inbox.handle);
        await s.sentinel(bus, 'conformance.nogroup.ok', [inbox]);
      },
      s.caseTimeoutMs,
    );
  });
}
