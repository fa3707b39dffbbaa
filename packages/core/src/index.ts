/**
 * `@herald/core`: what an application uses — events, the bus contract and the
 * in-memory bus, retry strategies, aggregates, commands, the outbox, projections,
 * configuration and errors. What a transport or store author builds with is in
 * `@herald/core/transport` (see the README).
 */
export * from './errors.js';
export type * from './events/types.js';
export { createDomainEvent, createIntegrationEvent, createSystemEvent, causedBy } from './events/factories.js';
export { MAX_EVENT_DEPTH, MAX_EVENT_TYPE_BYTES, validateEvent, validateEventType } from './events/validate.js';
export { createJsonCodec, jsonCodec, DEFAULT_MAX_EVENT_BYTES, type EventCodec, type JsonCodecOptions } from './codec/json-codec.js';
export { compilePattern, matchesPattern, validatePattern, type CompiledPattern } from './pattern/pattern.js';
export {
  DEFAULT_RETRY_STRATEGY,
  validateRetryStrategy,
  type RetryStrategy,
} from './retry/retry-strategy.js';
export { sleep, withTimeout } from './retry/sleep.js';
export { noopLogger, eventLogFields, errorFields, type Logger } from './logger.js';
export type * from './bus/types.js';
export { InMemoryEventBus, type InMemoryEventBusOptions } from './bus/in-memory-event-bus.js';
export type * from './store/types.js';
export { EventSourcedAggregate } from './aggregate/event-sourced-aggregate.js';
export { AggregateRepository, type AggregateRepositoryOptions } from './aggregate/aggregate-repository.js';
export {
  EventDrivenCommandBus,
  createCommand,
  type Command,
  type CommandBus,
  type CommandHandler,
} from './commands/command-bus.js';
export { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox-relay.js';
export { InMemoryCheckpointStore, type CheckpointStore } from './outbox/checkpoint-store.js';
export { readBool, readEnum, readHost, readInt, readSecret, readString, readUrl, type Env } from './config/env.js';
export {
  loadEventConfig,
  type EventBusTransport,
  type EventConfig,
  type EventStoreKind,
  type LoadEventConfigOptions,
} from './config/load-event-config.js';
export { createRedactor, redactUrl, REDACTED, type Redactor } from './secrets.js';
export {
  createUpcasters,
  schemaVersionOf,
  type UpcastFn,
  type UpcastInput,
  type Upcasters,
} from './upcasting/upcasters.js';
export {
  StoreSubscription,
  subscribeToStore,
  type StoreEventHandler,
  type StoreSubscriptionOptions,
  type SubscriptionStart,
} from './subscription/store-subscription.js';
export { readHeadPosition } from './subscription/head-position.js';
export {
  rebuildProjection,
  runProjection,
  type Projection,
  type RebuildProgress,
  type RebuildProjectionOptions,
  type RunProjectionOptions,
} from './subscription/projection.js';
export { InMemorySnapshotStore, type Snapshot, type SnapshotStore } from './snapshots/snapshot-store.js';
export { InMemoryInbox, type InboxStore } from './inbox/inbox.js';
export { idempotent, type IdempotentOptions } from './inbox/idempotent.js';
