import { InMemoryInbox, InMemorySnapshotStore } from '@herald/core';
import { describeInboxConformance } from '../src/conformance/inbox-conformance.js';
import { describeSnapshotStoreConformance } from '../src/conformance/snapshot-store-conformance.js';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';

describeSnapshotStoreConformance(vitestRunner, { name: 'InMemorySnapshotStore', create: () => new InMemorySnapshotStore() });
describeInboxConformance(vitestRunner, { name: 'InMemoryInbox', create: () => new InMemoryInbox() });
