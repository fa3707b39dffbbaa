import { InMemoryEventStore } from '@herald/in-memory-store';
import { describeEventSourcingConformance } from '../src/conformance/event-sourcing-conformance.js';

describeEventSourcingConformance({
  name: 'InMemoryEventStore',
  create: ({ upcasters }) => new InMemoryEventStore({ upcasters }),
});
