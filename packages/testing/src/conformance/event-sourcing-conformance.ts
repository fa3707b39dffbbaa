import type { EventStore, SnapshotStore, Upcasters } from '@herald/core';
import { assertRunner, type ConformanceRunner } from '../runner/conformance-runner.js';
import { CaseRegistry } from './case-registry.js';
import { type CaseSelection, emitSuite } from './emit-suite.js';
import type { EventSourcingHarness } from './es-harness.js';
import { registerSnapshotRepositoryCases } from './es-snapshot-cases.js';
import { registerSubscriptionCases } from './es-subscription-cases.js';
import { registerUpcastCases } from './es-upcast-cases.js';

export interface EventSourcingConformanceOptions extends CaseSelection {
  /** Shown in the suite title, e.g. 'RedisEventStore'. */
  name: string;
  /** A fresh, isolated, empty store (e.g. a unique key prefix) with the options given; called per case. */
  create: (options: { upcasters?: Upcasters }) => EventStore | Promise<EventStore>;
  /** A snapshot store for the repository cases. Default: core's InMemorySnapshotStore. */
  snapshots?: () => SnapshotStore;
  /** Called after every case with every store it opened (delete keys, close). Default: close them. */
  cleanup?: (stores: EventStore[]) => void | Promise<void>;
}

/**
 * What event sourcing on a store promises beyond appends and reads: catch-up
 * subscriptions and projections over its log, upcasting on every read path,
 * repository snapshots. Each case gets its own empty store.
 */
export function describeEventSourcingConformance(runner: ConformanceRunner, options: EventSourcingConformanceOptions): void {
  assertRunner('describeEventSourcingConformance', runner);
  let stores: EventStore[] = [];
  const harness: EventSourcingHarness = {
    store: async (storeOptions = {}) => {
      const store = await options.create(storeOptions);
      stores.push(store);
      return store;
    },
  };

  const cases = new CaseRegistry();
  registerSubscriptionCases(harness, cases);
  registerUpcastCases(harness, cases);
  registerSnapshotRepositoryCases(harness, cases, options.snapshots);

  emitSuite(runner, `${options.name} — event sourcing conformance`, cases, {
    only: options.only,
    hooks: {
      afterEach: async () => {
        const opened = stores;
        stores = [];
        if (options.cleanup) await options.cleanup(opened);
        else await Promise.all(opened.map((s) => s.close?.()));
      },
    },
  });
}
