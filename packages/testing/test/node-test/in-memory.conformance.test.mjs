// The conformance suites under node:test, on the published ES module entry: the
// in-memory bus and event store run here as a user on node:test would run theirs
// (`pnpm --filter @herald/testing test:node`; CI counts the results).
import * as nodeTest from 'node:test';
import { InMemoryEventBus } from '@herald/core';
import { InMemoryEventStore } from '@herald/in-memory-store';
import { describeEventBusConformance, describeEventStoreConformance, nodeTestRunner } from '@herald/testing';

const runner = nodeTestRunner(nodeTest);

describeEventBusConformance(runner, {
  name: 'InMemoryEventBus on node:test',
  create: () => new InMemoryEventBus({ closeTimeoutMs: 5_000, wireFormat: true }),
});

describeEventStoreConformance(runner, { name: 'InMemoryEventStore on node:test', create: () => new InMemoryEventStore() });
