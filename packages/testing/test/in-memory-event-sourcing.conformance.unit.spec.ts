import { InMemoryEventStore } from '@herald/in-memory-store';
import { describeEventSourcingConformance } from '../src/conformance/event-sourcing-conformance.js';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';

describeEventSourcingConformance(vitestRunner, {
  name: 'InMemoryEventStore',
  create: ({ upcasters }) => new InMemoryEventStore({ upcasters }),
});
