import type { EventStore } from '@herald/core';
import { assertRunner, type ConformanceRunner } from '../runner/conformance-runner.js';
import { CaseRegistry } from './case-registry.js';
import { type CaseSelection, emitSuite } from './emit-suite.js';
import { registerConcurrencyCases } from './store-concurrency.js';
import { registerExpectedVersionCases } from './store-expected-version.js';
import type { StoreHarness } from './store-harness.js';
import { registerReadCases } from './store-reads.js';
import { registerValidationCases } from './store-validation.js';

export interface EventStoreConformanceOptions<S extends EventStore = EventStore> extends CaseSelection {
  /** Shown in the suite title, e.g. 'RedisEventStore'. */
  name: string;
  /** A fresh, isolated, empty store (e.g. a unique key prefix); called before every case. */
  create: () => S | Promise<S>;
  /**
   * A second store over the same data on a separate connection. When given, the
   * concurrency cases also race writers across the two instances. The suite closes it.
   */
  createPeer?: (store: S) => EventStore | Promise<EventStore>;
  /** Called after every case with the store `create` returned (delete keys, close connections). */
  cleanup?: (store: S) => void | Promise<void>;
}

/**
 * The behaviour every Herald event store promises (docs/design-notes.md), as one
 * suite that every store registers in its own package with its runner's test
 * functions (see ConformanceRunner). Each case gets its own store so cases never
 * see each other's events and may assume an empty log. `only` picks groups or cases.
 */
export function describeEventStoreConformance<S extends EventStore>(
  runner: ConformanceRunner,
  options: EventStoreConformanceOptions<S>,
): void {
  assertRunner('describeEventStoreConformance', runner);
  let current: S | undefined;
  let peers: EventStore[] = [];

  const harness: StoreHarness = {
    store: () => {
      if (current === undefined) throw new Error('store conformance: no store (create() failed?)');
      return current;
    },
    hasPeer: options.createPeer !== undefined,
    peer: async () => {
      if (options.createPeer === undefined) throw new Error('store conformance: createPeer was not given');
      const peer = await options.createPeer(harness.store() as S);
      peers.push(peer);
      return peer;
    },
  };

  const cases = new CaseRegistry();
  registerExpectedVersionCases(harness, cases);
  registerReadCases(harness, cases);
  registerConcurrencyCases(harness, cases);
  registerValidationCases(harness, cases);

  emitSuite(runner, `${options.name} — event store conformance`, cases, {
    only: options.only,
    hooks: {
      beforeEach: async () => {
        current = await options.create();
      },
      afterEach: async () => {
        // Peers first: they share the store's data, and cleanup may delete it.
        const open = peers;
        peers = [];
        await Promise.all(open.map((p) => p.close?.()));
        const store = current;
        current = undefined;
        if (store !== undefined) await options.cleanup?.(store);
      },
    },
  });
}
