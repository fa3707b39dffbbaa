import { InMemoryEventBus } from '@herald/core';
import { describeEventBusConformance } from '../src/index.js';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';

// The in-memory bus has no wire, so the malformed-message cases (injectRaw) do not apply. It runs in its
// wire-format mode: handlers see what a networked transport delivers (the event-shape cases).
describeEventBusConformance(vitestRunner, {
  name: 'InMemoryEventBus',
  create: () => new InMemoryEventBus({ closeTimeoutMs: 5_000, wireFormat: true }),
});
