import type { BaseEvent, RetryStrategy } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { ConformanceHandlerError, Inbox, testEvent } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

/**
 * A retry strategy that names its own dead-letter exchange and routing key, as
 * the users' guide configures it. Transports without exchanges ignore the two
 * names; an AMQP transport routes there and must still list the record.
 */
const GUIDE_RETRY: RetryStrategy = {
  maxAttempts: 3,
  backoff: { type: 'fixed', delay: 20 },
  deadLetter: { enabled: true, exchange: 'dlx', routingKey: 'dead' },
};

/** Dead letters under a strategy's own dead-letter route [deadLetters]. */
export function registerDeadLetterRouteCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  describe('dead letters under the guide\'s dead-letter settings', () => {
    it(
      'lists an exhausted event when the strategy names its own dead-letter exchange and routing key [deadLetters]',
      async (ctx) => {
        // Given a subscriber that always fails, with the guide's retry and dead-letter settings
        const bus = await s.bus();
        s.requires(ctx, bus, 'deadLetters');
        const attempts: number[] = [];
        const inbox = new Inbox();
        await bus.subscribe('conformance.guide-dl.*', {
          async handle(event: BaseEvent, hctx) {
            if (event.type === 'conformance.guide-dl.sentinel') return inbox.handle(event, hctx);
            attempts.push(hctx.attempt);
            throw new ConformanceHandlerError(`always fails (attempt ${hctx.attempt})`);
          },
          retryStrategy: GUIDE_RETRY,
        });

        // When an event exhausts its three attempts
        const event = testEvent('conformance.guide-dl.item');
        await bus.publish(event);

        // Then deadLetters.list() holds it, with its error and attempts: nothing was lost on the way
        const record = await s.until(
          async () => (await bus.deadLetters.list()).find((r) => r.event?.id === event.id),
          'the exhausted event in deadLetters.list()',
        );
        expect(attempts).toEqual([1, 2, 3]);
        expect(record.attempts).toBe(3);
        expect(record.error.name).toBe('ConformanceHandlerError');
        expect(record.pattern).toBe('conformance.guide-dl.*');
        await s.sentinel(bus, 'conformance.guide-dl.sentinel', [inbox]);
      },
      s.caseTimeoutMs,
    );
  });
}
