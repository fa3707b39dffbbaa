export type { ConformanceRunner, RunnerBody, RunnerHook, RunnerTest } from './runner/conformance-runner.js';
export { nodeTestRunner, type NodeTestModule } from './runner/node-test-runner.js';
export type { CaseSelection } from './conformance/emit-suite.js';
export { describeEventBusConformance, type EventBusConformanceOptions } from './conformance/event-bus-conformance.js';
export * from './conformance/event-store-conformance.js';
export { describeSnapshotStoreConformance, type SnapshotStoreConformanceOptions } from './conformance/snapshot-store-conformance.js';
export { describeInboxConformance, type InboxConformanceOptions } from './conformance/inbox-conformance.js';
export { describeEventSourcingConformance, type EventSourcingConformanceOptions } from './conformance/event-sourcing-conformance.js';
export {
  RecordingEventBus,
  type HandledEvent,
  type RecordingEventBusOptions,
} from './recording/recording-event-bus.js';
export { createTestKit, type TestKit, type TestKitOptions } from './kit/create-test-kit.js';
export {
  scenario,
  type ErrorClass,
  type GivenEvent,
  type ScenarioGiven,
  type ScenarioOptions,
  type ScenarioThen,
  type ScenarioWhen,
} from './scenario/scenario.js';
export type { ExpectedEvent } from './scenario/event-comparison.js';
export { waitUntil, type WaitUntilOptions } from './wait-until.js';
export { Gate } from './gate.js';
