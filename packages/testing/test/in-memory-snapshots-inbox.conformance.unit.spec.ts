import { InMemoryInbox, InMemorySnapshotStore } from '@herald/core';
import { describeInboxConformance } from '../src/conformance/inbox-conformance.js';
import { describeSnapshotStoreConformance } from '../src/conformance/snapshot-store-conformance.js';

describeSnapshotStoreConformance({ name: 'InMemorySnapshotStore', create: () => new InMemorySnapshotStore() });
describeInboxConformance({ name: 'InMemoryInbox', create: () => new InMemoryInbox() });
