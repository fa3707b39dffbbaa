import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { Inbox, seqOf, testEvent } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

/**
 * Backpressure and bounded concurrency. A sibling subscription on the same
 * pattern witnesses that the transport has delivered the events, so "the busy
 * subscription has not started them" is checked at a point where it could have.
 * Capabilities: none.
 */
export function registerFlowCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  describe('flow control', () => {
    it(
      'applies backpressure: at concurrency 1 the next event waits until handle settles',
      async () => {
        // Given a subscription at concurrency 1 whose first handle stays pending, and a free sibling
        const bus = await s.bus();
        const gate = s.gate();
        let active = 0;
        let maxActive = 0;
        const finished: number[] = [];
        const busy = new Inbox(async (event) => {
          active++;
          maxActive = Math.max(maxActive, active);
          try {
            await gate.wait();
          } finally {
            active--;
            finished.push(seqOf(event));
          }
        });
        const witness = new Inbox();
        await bus.subscribe('conformance.flow.one', busy.handle, { concurrency: 1 });
        await bus.subscribe('conformance.flow.one', witness.handle);

        // When three events are published
        const sent = [0, 1, 2].map((seq) => testEvent('conformance.flow.one', { seq }));
        for (const e of sent) await bus.publish(e);

        // Then, while the first is pending, the second has not started although the transport delivered it
        await s.until(() => busy.events.length === 1, 'the first event to start');
        await s.until(() => sent.every((e) => witness.has(e.id)), 'the sibling to receive all three events');
        expect(busy.events.map(seqOf), 'events started while the first is pending').toEqual([0]);

        // And once released, the rest run one at a time
        gate.open();
        await s.until(() => finished.length === 3, 'all three events to finish');
        expect(maxActive).toBe(1);
        if (s.capabilities(bus).ordered) expect(finished).toEqual([0, 1, 2]);
      },
      s.caseTimeoutMs,
    );

    it(
      'runs up to N handlers at once with concurrency N, never more',
      async () => {
        // Given a subscription at concurrency 4 whose handlers stay pending, and a free sibling
        const bus = await s.bus();
        const gate = s.gate();
        let active = 0;
        let maxActive = 0;
        let finished = 0;
        const busy = new Inbox(async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          try {
            await gate.wait();
          } finally {
            active--;
            finished++;
          }
        });
        const witness = new Inbox();
        await bus.subscribe('conformance.flow.many', busy.handle, { concurrency: 4 });
        await bus.subscribe('conformance.flow.many', witness.handle);

        // When ten events are published
        const sent = Array.from({ length: 10 }, (_, seq) => testEvent('conformance.flow.many', { seq }));
        for (const e of sent) await bus.publish(e);

        // Then four run at once and no fifth starts while they are pending
        await s.until(() => active === 4, 'four handlers to run at once');
        await s.until(() => sent.every((e) => witness.has(e.id)), 'the sibling to receive all ten events');
        expect(busy.events, 'events started while four are pending').toHaveLength(4);

        // And once released, all ten finish without ever exceeding four at once
        gate.open();
        await s.until(() => finished === 10, 'all ten events to finish');
        expect(maxActive).toBe(4);
      },
      s.caseTimeoutMs,
    );
  });
}
