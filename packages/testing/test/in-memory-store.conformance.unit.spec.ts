import { InMemoryEventStore } from '@herald/in-memory-store';
import { describeEventStoreConformance } from '../src/conformance/event-store-conformance.js';

describeEventStoreConformance({ name: 'InMemoryEventStore', create: () => new InMemoryEventStore() });
