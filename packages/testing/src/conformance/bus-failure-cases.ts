import type { BaseEvent, DomainEvent } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { asDelivered, ConformanceHandlerError, fastRetry, Inbox, testEvent } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

const failing = (event: BaseEvent) => (event as DomainEvent).data.fail === true;

/** Retries, errorHandler, dead letters [deadLetters], poison messages and filters. */
export function registerFailureCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  describe('retries and dead letters', () => {
    it(
      'retries a failing handler until it succeeds, with ctx.attempt counting from 1',
      async () => {
        // Given a handler that fails its first two attempts, with 3 attempts allowed
        const bus = await s.bus();
        const attempts = new Map<string, number[]>();
        const succeeded: string[] = [];
        const errors: Error[] = [];
        const inbox = new Inbox();
        await bus.subscribe('conformance.retry.*', {
          async handle(event, ctx) {
            if (event.type === 'conformance.retry.sentinel') return inbox.handle(event, ctx);
            attempts.set(event.id, [...(attempts.get(event.id) ?? []), ctx.attempt]);
            if (ctx.attempt < 3) throw new ConformanceHandlerError(`attempt ${ctx.attempt} fails on purpose`);
            succeeded.push(event.id);
          },
          async errorHandler(error) {
            errors.push(error);
          },
          retryStrategy: fastRetry(3),
        });

        // When an event is published
        const event = testEvent('conformance.retry.flaky');
        await bus.publish(event);

        // Then the third attempt succeeds, attempts were 1, 2, 3, and nothing more happens
        await s.until(() => succeeded.includes(event.id), 'the third attempt to succeed');
        await s.sentinel(bus, 'conformance.retry.sentinel', [inbox]);
        expect(attempts.get(event.id)).toEqual([1, 2, 3]);
        expect(errors, 'errorHandler calls').toEqual([]);
        if (s.capabilities(bus).deadLetters) expect(await bus.deadLetters.list()).toEqual([]);
      },
      s.caseTimeoutMs,
    );

    it(
      'calls errorHandler exactly once after the last attempt fails',
      async () => {
        // Given a handler that always fails for one event, with 3 attempts allowed
        const bus = await s.bus();
        const attempts: number[] = [];
        const calls: Array<{ error: Error; event: BaseEvent }> = [];
        const inbox = new Inbox();
        await bus.subscribe('conformance.exhaust.*', {
          async handle(event, ctx) {
            if (!failing(event)) return inbox.handle(event, ctx);
            attempts.push(ctx.attempt);
            throw new ConformanceHandlerError(`always fails (attempt ${ctx.attempt})`);
          },
          async errorHandler(error, event) {
            calls.push({ error, event });
          },
          retryStrategy: fastRetry(3),
        });

        // When that event is published
        const event = testEvent('conformance.exhaust.doomed', { fail: true });
        await bus.publish(event);

        // Then errorHandler is called once, after the third attempt, with the last error and the event
        await s.until(() => calls.length > 0, 'errorHandler to be called');
        await s.sentinel(bus, 'conformance.exhaust.sentinel', [inbox]);
        expect(attempts).toEqual([1, 2, 3]);
        expect(calls).toHaveLength(1);
        expect(calls[0]!.error.message).toBe('always fails (attempt 3)');
        expect(calls[0]!.event.id).toBe(event.id);
      },
      s.caseTimeoutMs,
    );

    it(
      'dead-letters an exhausted event exactly once, with its error, attempts and pattern [deadLetters]',
      async (ctx) => {
        // Given a handler that always fails for one event, with 3 attempts allowed
        const bus = await s.bus();
        s.requires(ctx, bus, 'deadLetters');
        const errorHandled: string[] = [];
        const inbox = new Inbox();
        await bus.subscribe('conformance.dead.*', {
          async handle(event, c) {
            if (!failing(event)) return inbox.handle(event, c);
            throw new ConformanceHandlerError('cannot handle this one');
          },
          async errorHandler(_error, event) {
            errorHandled.push(event.id);
          },
          retryStrategy: fastRetry(3),
        });

        // When the event is published
        const event = testEvent('conformance.dead.doomed', { fail: true, at: new Date(Date.UTC(2024, 5, 1)) });
        await bus.publish(event);

        // Then exactly one dead letter describes it, and errorHandler ran before it was stored
        const [record] = await s.until(async () => {
          const list = await bus.deadLetters.list();
          return list.length > 0 ? list : undefined;
        }, 'a dead letter to be recorded');
        expect(errorHandled, 'errorHandler calls when the dead letter exists').toEqual([event.id]);
        await s.sentinel(bus, 'conformance.dead.sentinel', [inbox]);
        const list = await bus.deadLetters.list();
        expect(list, 'dead letters').toHaveLength(1);
        expect(typeof record!.id).toBe('string');
        expect(record!.event).toEqual(asDelivered(event));
        expect(record!.error.name).toBe('ConformanceHandlerError');
        expect(record!.error.message).toBe('cannot handle this one');
        expect(record!.attempts).toBe(3);
        expect(record!.pattern).toBe('conformance.dead.*');
        expect(record!.group).toBeUndefined();
        expect(record!.failedAt).toBeInstanceOf(Date);
        expect(errorHandled).toEqual([event.id]);
      },
      s.caseTimeoutMs,
    );

    it(
      'records the group of a dead-lettered event [consumerGroups, deadLetters]',
      async (ctx) => {
        const bus = await s.bus();
        s.requires(ctx, bus, 'consumerGroups', 'deadLetters');
        await bus.subscribe(
          'conformance.deadgroup.*',
          {
            handle: () => {
              throw new ConformanceHandlerError('group member fails');
            },
            retryStrategy: fastRetry(1),
          },
          { group: 'dl-workers' },
        );
        const event = testEvent('conformance.deadgroup.doomed');
        await bus.publish(event);
        const [record] = await s.until(async () => {
          const list = await bus.deadLetters.list();
          return list.length > 0 ? list : undefined;
        }, 'a dead letter to be recorded');
        expect(record!.event?.id).toBe(event.id);
        expect(record!.group).toBe('dl-workers');
        expect(record!.pattern).toBe('conformance.deadgroup.*');
        expect(record!.attempts).toBe(1);
      },
      s.caseTimeoutMs,
    );

    it(
      'keeps a subscription and its siblings flowing while a handler fails 100 times',
      async () => {
        // Given a handler that fails every "poison" event, and a sibling subscription on the same pattern
        const bus = await s.bus();
        const good = new Inbox();
        const sibling = new Inbox();
        let failures = 0;
        let errorHandlerCalls = 0;
        await bus.subscribe('conformance.poison.#', {
          async handle(event, ctx) {
            if (failing(event)) {
              failures++;
              throw new ConformanceHandlerError('poison');
            }
            await good.handle(event, ctx);
          },
          async errorHandler() {
            errorHandlerCalls++;
          },
          retryStrategy: fastRetry(1),
        });
        await bus.subscribe('conformance.poison.#', sibling.handle);

        // When 100 poison events are interleaved with 100 good ones
        const goodEvents: BaseEvent[] = [];
        for (let i = 0; i < 100; i++) {
          await bus.publish(testEvent('conformance.poison.bad', { fail: true, seq: i }));
          const ok = testEvent('conformance.poison.good', { seq: i });
          goodEvents.push(ok);
          await bus.publish(ok);
        }

        // Then every good event is handled, the sibling sees all 200, and each failure is reported once
        await s.until(() => goodEvents.every((e) => good.has(e.id)), 'all 100 good events to be handled');
        await s.until(() => sibling.events.length >= 200, 'the sibling subscription to receive all 200 events');
        await s.until(() => errorHandlerCalls >= 100, 'errorHandler to be called for all 100 poison events');
        await s.sentinel(bus, 'conformance.poison.after', [good, sibling]);
        expect(failures).toBe(100);
        expect(errorHandlerCalls).toBe(100);
        expect(sibling.events).toHaveLength(201);
        if (s.capabilities(bus).deadLetters) {
          await s.until(async () => (await bus.deadLetters.list()).length >= 100, '100 dead letters');
          expect(await bus.deadLetters.list()).toHaveLength(100);
        }
      },
      s.caseTimeoutMs,
    );

    it(
      'settles an event its filter rejects: handle is not called and nothing is redelivered',
      async () => {
        // Given a handler whose filter rejects "skip" events
        const bus = await s.bus();
        const filtered: string[] = [];
        const inbox = new Inbox();
        await bus.subscribe('conformance.filter.*', {
          filter(event) {
            filtered.push(event.id);
            return (event as DomainEvent).data.skip !== true;
          },
          handle: inbox.handle,
          retryStrategy: fastRetry(3),
        });

        // When a skipped event is published, then a sentinel the filter lets through
        const skipped = testEvent('conformance.filter.item', { skip: true });
        await bus.publish(skipped);
        await s.sentinel(bus, 'conformance.filter.item', [inbox]);

        // Then the filter saw the skipped event once, handle never did, and no dead letter exists
        expect(filtered.filter((id) => id === skipped.id)).toHaveLength(1);
        expect(inbox.has(skipped.id)).toBe(false);
        if (s.capabilities(bus).deadLetters) expect(await bus.deadLetters.list()).toEqual([]);
      },
      s.caseTimeoutMs,
    );

    it(
      'replays a dead letter to its subscription, and purge empties the list [deadLetters]',
      async (ctx) => {
        // Given a handler that fails until it is "fixed", with one attempt allowed
        const bus = await s.bus();
        s.requires(ctx, bus, 'deadLetters');
        let fixed = false;
        const inbox = new Inbox();
        await bus.subscribe('conformance.replay.*', {
          async handle(event, c) {
            if (!fixed) throw new ConformanceHandlerError('not fixed yet');
            await inbox.handle(event, c);
          },
          retryStrategy: fastRetry(1),
        });
        const event = testEvent('conformance.replay.item', { at: new Date(Date.UTC(2023, 11, 31)) });
        await bus.publish(event);
        const [record] = await s.until(async () => {
          const list = await bus.deadLetters.list();
          return list.length > 0 ? list : undefined;
        }, 'the event to be dead-lettered');

        // When the handler is fixed and the dead letter replayed
        fixed = true;
        expect(await bus.deadLetters.replay(record!.id)).toBe(1);

        // Then the event is delivered again, equal to the original, and leaves the list
        await s.until(() => inbox.has(event.id), 'the replayed event to be handled');
        expect(inbox.find(event.id)).toEqual(asDelivered(event));
        await s.until(async () => (await bus.deadLetters.list()).length === 0, 'the replayed dead letter to leave the list');

        // And purge removes every remaining dead letter
        fixed = false;
        await bus.publish(testEvent('conformance.replay.item', { n: 1 }));
        await bus.publish(testEvent('conformance.replay.item', { n: 2 }));
        await s.until(async () => (await bus.deadLetters.list()).length === 2, 'two new dead letters');
        expect(await bus.deadLetters.purge()).toBe(2);
        expect(await bus.deadLetters.list()).toEqual([]);
      },
      s.caseTimeoutMs,
    );
  });
}
