import { InMemoryEventStore } from '@herald/in-memory-store';
import { describeEventStoreConformance } from '../src/conformance/event-store-conformance.js';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';

describeEventStoreConformance(vitestRunner, { name: 'InMemoryEventStore', create: () => new InMemoryEventStore() });
