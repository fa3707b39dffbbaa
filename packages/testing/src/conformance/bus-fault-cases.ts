import type { EventBus } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { Inbox, testEvent } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

/**
 * After a fault, publishes probes (ignoring rejections while the transport
 * reconnects) until the existing subscription receives one, then checks that
 * a plain publish and a brand-new subscription work.
 */
async function expectRecovered(s: BusSuite, bus: EventBus, inbox: Inbox): Promise<void> {
  const before = inbox.events.length;
  await s.until(
    async () => {
      await bus.publish(testEvent('conformance.fault.probe')).catch(() => undefined);
      return inbox.events.length > before;
    },
    'a probe published after the fault to reach the existing subscription',
  );
  const after = testEvent('conformance.fault.after');
  await bus.publish(after);
  await s.until(() => inbox.has(after.id), 'an event published after recovery to arrive');

  const fresh = new Inbox();
  await bus.subscribe('conformance.fresh.#', fresh.handle);
  await s.sentinel(bus, 'conformance.fresh.item', [fresh]);
  expect(fresh.events).toHaveLength(1);
}

/** Reconnection, run only when the adapter passes `faults`. Capabilities: none. */
export function registerFaultCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  const kill = s.faults?.killConnections;
  const restart = s.faults?.restartServer;
  // Recovery may include reconnect backoff and a server restart on top of the ordinary waits.
  const timeout = s.caseTimeoutMs * 2;
  describe('faults', () => {
    it.skipIf(!kill, 'no faults.killConnections given')(
      'keeps publishing and delivering after its connections are killed',
      async () => {
        // Given a working subscription
        const bus = await s.bus();
        const inbox = new Inbox();
        await bus.subscribe('conformance.fault.#', inbox.handle);
        await s.sentinel(bus, 'conformance.fault.before', [inbox]);

        // When the server drops the bus's connections
        await kill!(bus);

        // Then publishing, delivery and new subscriptions work again
        await expectRecovered(s, bus, inbox);
      },
      timeout,
    );

    it.skipIf(!restart, 'no faults.restartServer given')(
      'keeps publishing and delivering after the server restarts',
      async () => {
        const bus = await s.bus();
        const inbox = new Inbox();
        await bus.subscribe('conformance.fault.#', inbox.handle);
        await s.sentinel(bus, 'conformance.fault.before', [inbox]);

        await restart!();

        await expectRecovered(s, bus, inbox);
      },
      timeout,
    );
  });
}
