import { InMemoryEventBus } from '@herald/core';
import { describeEventBusConformance } from '../src/index.js';

// The in-memory bus has no wire, so the malformed-message cases (injectRaw) do not apply. It runs in its
// wire-format mode: handlers see what a networked transport delivers (the event-shape cases).
describeEventBusConformance({
  name: 'InMemoryEventBus',
  create: () => new InMemoryEventBus({ closeTimeoutMs: 5_000, wireFormat: true }),
});
