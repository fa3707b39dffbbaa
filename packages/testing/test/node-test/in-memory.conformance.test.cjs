// The same suites from CommonJS (the package's require() entry): they no longer need vitest.
const nodeTest = require('node:test');
const { InMemoryInbox, InMemorySnapshotStore } = require('@herald/core');
const { describeInboxConformance, describeSnapshotStoreConformance, nodeTestRunner } = require('@herald/testing');

const runner = nodeTestRunner(nodeTest);
describeSnapshotStoreConformance(runner, { name: 'InMemorySnapshotStore on node:test (CommonJS)', create: () => new InMemorySnapshotStore() });
describeInboxConformance(runner, { name: 'InMemoryInbox on node:test (CommonJS)', create: () => new InMemoryInbox() });
