import { isHeraldError, TimeoutError, withTimeout, type BaseEvent, type ValidationError } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { Inbox, seqOf, testEvent } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

/**
 * Yields `n` macrotask turns: an observation window in which a transport that
 * does not honour a barrier gets the chance to resolve too early. Used only
 * where no later event can serve as a sentinel (after close).
 */
async function macrotaskTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function rejection(promise: Promise<unknown>, boundMs: number): Promise<unknown> {
  return withTimeout(
    promise.then(
      () => undefined,
      (error: unknown) => error,
    ),
    boundMs,
    () => new TimeoutError(`the call neither resolved nor rejected within ${boundMs} ms`),
  );
}

function invalidEvents(): Array<{ name: string; field: string; event: BaseEvent }> {
  const valid = () => testEvent('conformance.invalid.item', { ok: true });
  const cyclic: Record<string, unknown> = { ok: true };
  cyclic.self = cyclic;
  return [
    { name: 'empty id', field: 'id', event: { ...valid(), id: '' } },
    { name: 'type with spaces', field: 'type', event: { ...valid(), type: 'not a type' } },
    { name: 'invalid timestamp', field: 'timestamp', event: { ...valid(), timestamp: new Date('not a date') } },
    { name: 'fractional version', field: 'version', event: { ...valid(), version: 1.5 } },
    {
      name: 'missing correlationId',
      field: 'metadata.correlationId',
      event: { ...valid(), metadata: { source: 's', environment: 'e' } as BaseEvent['metadata'] },
    },
    { name: 'bigint in data', field: 'data.big', event: { ...valid(), data: { big: 10n } } as BaseEvent },
    { name: 'function in data', field: 'data.fn', event: { ...valid(), data: { fn: () => 1 } } as BaseEvent },
    { name: 'cycle in data', field: 'data.self', event: { ...valid(), data: cyclic } as BaseEvent },
  ];
}

/** unsubscribe/close barriers and idempotence, closed-bus and validation errors. Capabilities: none. */
export function registerLifecycleCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  describe('unsubscribe, close and validation', () => {
    it(
      'unsubscribe is a barrier: it waits for the in-flight handler, and no handler runs after it resolves',
      async () => {
        // Given a subscription whose handler is in flight, and a sibling on the same type
        const bus = await s.bus();
        const gate = s.gate();
        const log: string[] = [];
        const busy = new Inbox(async (event) => {
          log.push(`start ${seqOf(event)}`);
          await gate.wait();
          log.push(`finish ${seqOf(event)}`);
        });
        const witness = new Inbox();
        const subscription = await bus.subscribe('conformance.unsub.item', busy.handle);
        await bus.subscribe('conformance.unsub.item', witness.handle);
        await bus.publish(testEvent('conformance.unsub.item', { seq: 0 }));
        await s.until(() => log.includes('start 0'), 'the handler to start');

        // When unsubscribe is called (twice, as two callers might) while the handler is pending
        const unsubscribed = Promise.all([
          bus.unsubscribe(subscription).then(() => log.push('unsubscribe resolved')),
          bus.unsubscribe(subscription).then(() => log.push('unsubscribe resolved')),
        ]);
        await s.sentinel(bus, 'conformance.unsub.item', [witness]);

        // Then neither call has resolved yet; both resolve after the handler finished
        expect(log, 'unsubscribe resolved while its handler was in flight').not.toContain('unsubscribe resolved');
        gate.open();
        await unsubscribed;
        const resolvedAt = log.indexOf('unsubscribe resolved');
        const starts = log.slice(0, resolvedAt).filter((l) => l.startsWith('start')).length;
        const finishes = log.slice(0, resolvedAt).filter((l) => l.startsWith('finish')).length;
        expect(finishes, 'handlers finished before unsubscribe resolved').toBe(starts);

        // And later events never reach the unsubscribed handler
        await bus.publish(testEvent('conformance.unsub.item', { seq: 99 }));
        await s.sentinel(bus, 'conformance.unsub.item', [witness]);
        expect(log.slice(resolvedAt + 1), 'handler activity after unsubscribe resolved').toEqual(['unsubscribe resolved']);
      },
      s.caseTimeoutMs,
    );

    it(
      'unsubscribe is idempotent and leaves other subscriptions working',
      async () => {
        const bus = await s.bus();
        const gone = new Inbox();
        const kept = new Inbox();
        const subscription = await bus.subscribe('conformance.unsub2.item', gone.handle);
        await bus.subscribe('conformance.unsub2.item', kept.handle);

        // When the same subscription is unsubscribed twice at once and once more later
        await Promise.all([bus.unsubscribe(subscription), bus.unsubscribe(subscription)]);
        await bus.unsubscribe(subscription);

        // Then every call resolved and only the other subscription still receives events
        await s.sentinel(bus, 'conformance.unsub2.item', [kept]);
        expect(gone.events).toEqual([]);
      },
      s.caseTimeoutMs,
    );

    it(
      'close is a barrier: it waits for in-flight handlers, and none runs after it resolves',
      async () => {
        // Given a handler in flight
        const bus = await s.bus();
        const gate = s.gate();
        const log: string[] = [];
        const busy = new Inbox(async (event) => {
          log.push(`start ${seqOf(event)}`);
          await gate.wait();
          log.push(`finish ${seqOf(event)}`);
        });
        await bus.subscribe('conformance.close.item', busy.handle);
        await bus.publish(testEvent('conformance.close.item', { seq: 0 }));
        await s.until(() => log.includes('start 0'), 'the handler to start');

        // When close is called while the handler is pending
        const closed = bus.close().then(() => log.push('close resolved'));
        await macrotaskTurns(20);

        // Then close has not resolved; it resolves after every started handler finished
        expect(log, 'close resolved while a handler was in flight').not.toContain('close resolved');
        gate.open();
        await closed;
        const resolvedAt = log.indexOf('close resolved');
        const before = log.slice(0, resolvedAt);
        expect(before.filter((l) => l.startsWith('finish')).length, 'handlers finished before close resolved').toBe(
          before.filter((l) => l.startsWith('start')).length,
        );
        await macrotaskTurns(20);
        expect(log.slice(resolvedAt + 1), 'handler activity after close resolved').toEqual([]);
      },
      s.caseTimeoutMs,
    );

    it(
      'close is idempotent',
      async () => {
        const bus = await s.bus();
        await bus.subscribe('conformance.close2.item', () => {});
        await Promise.all([bus.close(), bus.close()]);
        await bus.close();
      },
      s.caseTimeoutMs,
    );

    it(
      'close waits for pending publishes, which all resolve',
      async () => {
        // Given a subscriber and 50 publishes still pending
        const bus = await s.bus();
        await bus.subscribe('conformance.closepub.item', () => {});
        const outcomes = Array.from({ length: 50 }, (_, seq) =>
          bus.publish(testEvent('conformance.closepub.item', { seq })).then(
            () => 'resolved',
            (error: unknown) => error,
          ),
        );

        // When the bus is closed at once
        await bus.close();

        // Then every publish resolved: none was dropped, rejected or left hanging
        const results = await withTimeout(
          Promise.all(outcomes),
          s.timeoutMs,
          () => new TimeoutError('publishes still pending after close resolved'),
        );
        expect(results.filter((r) => r !== 'resolved'), 'publishes that did not resolve').toEqual([]);
      },
      s.caseTimeoutMs,
    );

    it(
      'publish and publishAll after close reject with BusClosedError',
      async () => {
        const bus = await s.bus();
        await bus.close();
        const single = await rejection(bus.publish(testEvent('conformance.closed.item')), s.timeoutMs);
        const batch = await rejection(bus.publishAll([testEvent('conformance.closed.item')]), s.timeoutMs);
        expect(isHeraldError(single, 'BUS_CLOSED'), `publish rejected with ${String(single)}`).toBe(true);
        expect(isHeraldError(batch, 'BUS_CLOSED'), `publishAll rejected with ${String(batch)}`).toBe(true);
      },
      s.caseTimeoutMs,
    );

    it(
      'rejects an invalid event with ValidationError naming the field, and delivers nothing',
      async () => {
        // Given a subscriber to everything
        const bus = await s.bus();
        const inbox = new Inbox();
        await bus.subscribe('#', inbox.handle);

        // When invalid events are published
        for (const { name, field, event } of invalidEvents()) {
          const error = await rejection(bus.publish(event), s.timeoutMs);
          // Then each is rejected, naming the bad field
          expect(isHeraldError(error, 'VALIDATION'), `${name}: rejected with ${String(error)}`).toBe(true);
          expect((error as ValidationError).field, name).toBe(field);
        }

        // And nothing reached the subscriber
        const sentinel = await s.sentinel(bus, 'conformance.invalid.sentinel', [inbox]);
        expect(inbox.ids()).toEqual([sentinel.id]);
      },
      s.caseTimeoutMs,
    );

    it(
      'rejects a publishAll batch holding one invalid event, and delivers none of it',
      async () => {
        const bus = await s.bus();
        const inbox = new Inbox();
        await bus.subscribe('#', inbox.handle);
        const batch: BaseEvent[] = [
          testEvent('conformance.invalid.item', { n: 1 }),
          { ...testEvent('conformance.invalid.item'), id: '' },
          testEvent('conformance.invalid.item', { n: 3 }),
        ];
        const error = await rejection(bus.publishAll(batch), s.timeoutMs);
        expect(isHeraldError(error, 'VALIDATION'), `publishAll rejected with ${String(error)}`).toBe(true);
        const sentinel = await s.sentinel(bus, 'conformance.invalid.sentinel', [inbox]);
        expect(inbox.ids()).toEqual([sentinel.id]);
      },
      s.caseTimeoutMs,
    );
  });
}
