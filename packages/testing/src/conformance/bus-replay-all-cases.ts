import type { BaseEvent } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { ConformanceHandlerError, fastRetry, testEvent } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

/** Dead letters in bulk: listing must not get in the way of a replay [deadLetters]. */
export function registerReplayAllCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  describe('replaying many dead letters', () => {
    it(
      'replays every record right after list(), and each is handled exactly once [deadLetters]',
      async (ctx) => {
        // Given many dead letters from a subscriber that fails until it is fixed
        const bus = await s.bus();
        s.requires(ctx, bus, 'deadLetters');
        const count = Math.max(10, Math.round(500 * s.scale));
        let fixed = false;
        let exhausted = 0;
        const handled = new Map<string, number>();
        await bus.subscribe('conformance.replay-all.*', {
          async handle(event: BaseEvent) {
            if (!fixed) throw new ConformanceHandlerError('broken until fixed');
            handled.set(event.id, (handled.get(event.id) ?? 0) + 1);
          },
          async errorHandler() {
            exhausted++;
          },
          retryStrategy: fastRetry(1),
        }, { concurrency: 20 });
        const events = Array.from({ length: count }, (_, i) => testEvent('conformance.replay-all.item', { i }));
        await bus.publishAll(events);
        // (errorHandler runs just before each dead letter is stored: a cheap signal to wait on before listing)
        await s.until(() => exhausted === count, `${count} exhausted events`, s.timeoutMs * 2);
        await s.until(async () => (await bus.deadLetters.list()).length === count, `${count} dead letters`, s.timeoutMs * 2);

        // When they are listed, and then all replayed at once
        const listed = await bus.deadLetters.list();
        fixed = true;
        const replayed = await bus.deadLetters.replay('all');

        // Then replay reports every record, and every event is handled exactly once
        expect(listed).toHaveLength(count);
        expect(replayed).toBe(count);
        await s.until(() => handled.size === count, `all ${count} replayed events handled`, s.timeoutMs * 2);
        expect(new Set(handled.keys())).toEqual(new Set(events.map((e) => e.id)));
        expect([...handled.values()].filter((n) => n !== 1), 'events handled more than once').toEqual([]);
        expect(await bus.deadLetters.list()).toEqual([]);
      },
      s.caseTimeoutMs * 3,
    );
  });
}
