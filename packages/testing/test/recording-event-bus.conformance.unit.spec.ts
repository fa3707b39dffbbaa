import { InMemoryEventBus } from '@herald/core';
import { describeEventBusConformance, RecordingEventBus } from '../src/index.js';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';

// The recording wrapper must be transparent: over the in-memory bus it passes the same suite.
describeEventBusConformance(vitestRunner, {
  name: 'RecordingEventBus over InMemoryEventBus',
  create: () => new RecordingEventBus(new InMemoryEventBus({ closeTimeoutMs: 5_000, wireFormat: true })),
});
