import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { Inbox, seqOf, testEvent } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

/** Per-publisher order [ordered] and bulk delivery. */
export function registerVolumeCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  describe('ordering and volume', () => {
    it(
      "keeps one publisher's order at concurrency 1 [ordered]",
      async (ctx) => {
        // Given a subscription with the default concurrency of 1
        const bus = await s.bus();
        s.requires(ctx, bus, 'ordered');
        const inbox = new Inbox();
        await bus.subscribe('conformance.ordered.*', inbox.handle);

        // When one publisher publishes 100 events awaiting each, then 100 more without awaiting in between
        const n = 200;
        const types = ['conformance.ordered.a', 'conformance.ordered.b'];
        for (let i = 0; i < n / 2; i++) await bus.publish(testEvent(types[i % 2]!, { seq: i }));
        const pending: Promise<void>[] = [];
        for (let i = n / 2; i < n; i++) pending.push(bus.publish(testEvent(types[i % 2]!, { seq: i })));
        await Promise.all(pending);

        // Then they are handled in publish order
        await s.until(() => inbox.events.length >= n, `all ${n} events to arrive`);
        expect(inbox.events.map(seqOf)).toEqual(Array.from({ length: n }, (_, i) => i));
      },
      s.caseTimeoutMs,
    );

    const total = Math.max(20, Math.round((10_000 * s.scale) / 20) * 20);
    it(
      `delivers all ${total.toLocaleString('en-US')} events published by 20 concurrent publishers`,
      async () => {
        // Given one subscriber
        const bus = await s.bus();
        const seen = new Set<string>();
        const bySender = new Map<number, number[]>();
        let deliveries = 0;
        await bus.subscribe('conformance.bulk.#', (event) => {
          deliveries++;
          seen.add(event.id);
          const { sender, seq } = (event as unknown as { data: { sender: number; seq: number } }).data;
          const list = bySender.get(sender) ?? [];
          if (list.length === 0) bySender.set(sender, list);
          list.push(seq);
        });

        // When 20 callers publish their share concurrently, each awaiting its own publishes
        const callers = 20;
        const share = total / callers;
        await Promise.all(
          Array.from({ length: callers }, async (_, sender) => {
            for (let seq = 0; seq < share; seq++) {
              await bus.publish(testEvent(`conformance.bulk.sender${sender}`, { sender, seq }));
            }
          }),
        );

        // Then every event arrives exactly once
        await s.until(() => seen.size >= total, `all ${total} events to arrive (so far ${seen.size})`);
        expect(seen.size).toBe(total);
        expect(deliveries, 'deliveries (a duplicate would show here)').toBe(total);
        // And, on an ordered transport, each caller's events in its order
        if (s.capabilities(bus).ordered) {
          for (const [sender, seqs] of bySender) {
            expect(seqs, `order of caller ${sender}`).toEqual(Array.from({ length: share }, (_, i) => i));
          }
        }
      },
      s.caseTimeoutMs,
    );
  });
}
