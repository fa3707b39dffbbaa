import type { DomainEvent } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { Inbox, testEvent } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

/**
 * One event shape on every transport: a handler sees what JSON carries, whatever the bus.
 * Only the envelope's `timestamp` comes back as a Date; inside `data` a Date arrives as its
 * ISO string and a string that looks like a date stays a string. (The in-memory bus passes
 * this in its wire-format mode, the one `createTestKit` uses.) Capabilities: none.
 */
export function registerShapeCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  describe('event shape', () => {
    it(
      'delivers data as JSON carries it: an ISO-looking string stays a string, a Date arrives as its ISO string',
      async () => {
        // Given a subscriber
        const bus = await s.bus();
        const inbox = new Inbox();
        await bus.subscribe('conformance.shape.checked', inbox.handle);

        // When an event is published whose data holds an ISO-looking string, a Date, a nested object and a number
        const at = new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 10));
        const sent = testEvent('conformance.shape.checked', {
          code: '2031-12-24T18:00:00.000Z',
          at,
          nested: { level: 2, list: [1, 'two', { three: 3 }], when: '1999-01-01T00:00:00.000Z' },
          count: 42,
        });
        await bus.publish(sent);

        // Then it arrives with exactly the shape JSON gives it, and a Date only for the envelope's timestamp
        await s.until(() => inbox.has(sent.id), 'the event to arrive');
        const received = inbox.find(sent.id) as DomainEvent;
        expect(received.timestamp).toBeInstanceOf(Date);
        expect(received.timestamp.getTime()).toBe(sent.timestamp.getTime());
        expect(received.data).toEqual({
          code: '2031-12-24T18:00:00.000Z',
          at: '2024-05-06T07:08:09.010Z',
          nested: { level: 2, list: [1, 'two', { three: 3 }], when: '1999-01-01T00:00:00.000Z' },
          count: 42,
        });
        expect(typeof received.data.code).toBe('string');
        expect(typeof received.data.at).toBe('string');
        expect(typeof received.data.count).toBe('number');
        expect({ ...received, data: sent.data }).toEqual(sent);
      },
      s.caseTimeoutMs,
    );
  });
}
