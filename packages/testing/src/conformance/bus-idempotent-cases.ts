import { idempotent, InMemoryInbox, type InboxStore } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { Inbox, testEvent } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

/** Idempotent consumers on this transport. Capabilities: none. */
export function registerIdempotentCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  describe('idempotent consumers', () => {
    const inboxes: Array<[string, () => InboxStore]> = [
      ['InMemoryInbox', () => new InMemoryInbox()],
      ...Object.entries(s.inboxes),
    ];
    for (const [name, createInbox] of inboxes) {
      it(
      `the same event delivered twice is handled once by an idempotent handler (${name})`,
      async () => {
        // Given a subscriber that records every delivery, then runs an idempotent handler
        const bus = await s.bus();
        const handled = new Inbox();
        const store = createInbox();
        try {
          const once = idempotent(handled.handle, { store, scope: 'conformance' });
          const deliveries = new Inbox(once);
          await bus.subscribe('conformance.inbox.*', deliveries.handle);

          // When one event is published twice (a redelivery), then another one
          const event = testEvent('conformance.inbox.done', { n: 1 });
          const other = testEvent('conformance.inbox.done', { n: 2 });
          await bus.publish(event);
          await bus.publish(event);
          await bus.publish(other);

          // Then both deliveries arrived, and the handler ran once per event
          await s.until(() => deliveries.count(event.id) === 2 && handled.has(other.id), 'both deliveries and the other event');
          expect(handled.count(event.id)).toBe(1);
          expect(handled.count(other.id)).toBe(1);
        } finally {
          await (store as { close?: () => Promise<void> }).close?.();
        }
      },
      s.caseTimeoutMs,
    );
    }
  });
}
