import { describeEventBusConformance } from '../src/index.js';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { LoopbackWireBus } from './support/loopback-wire-bus.js';

// A bytes-on-the-wire transport without consumer groups: exercises the suite's
// injectRaw (malformed message) cases and its no-consumer-groups case.
describeEventBusConformance(vitestRunner, {
  name: 'LoopbackWireBus (test transport)',
  create: () => new LoopbackWireBus(),
  injectRaw: (bus, type, raw) => (bus as LoopbackWireBus).inject(type, raw),
});
