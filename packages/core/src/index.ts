export * from './errors.js';
export type * from './events/types.js';
export { createDomainEvent, createIntegrationEvent, createSystemEvent, causedBy } from './events/factories.js';
export { copyFields } from './events/copy-fields.js';
export { MAX_EVENT_DEPTH, MAX_EVENT_TYPE_BYTES, validateEvent, validateEventType } from './events/validate.js';
export { validateEvents, type EventCheck } from './events/validate-events.js';
export { createJsonCodec, jsonCodec, DEFAULT_MAX_EVENT_BYTES, type EventCodec, type JsonCodecOptions } from './codec/json-codec.js';
export { compilePattern, matchesPattern, validatePattern, type CompiledPattern } from './pattern/pattern.js';
export { RouteTable } from './pattern/route-table.js';
export {
  DEFAULT_RETRY_STRATEGY,
  backoffDelay,
  deadLetterEnabled,
  validateRetryStrategy,
  type RetryStrategy,
} from './retry/retry-strategy.js';
export { sleep, withTimeout } from './retry/sleep.js';
export { noopLogger, eventLogFields, errorFields, type Logger } from './logger.js';
export type * from './bus/types.js';
export { callPublish, composeHandle, composePublish, publishEach, type InvokeFn, type PublishFn } from './bus/middleware.js';
export { PublishPath, type EncodedEvent, type PublishPathOptions, type TransmitBatch } from './bus/publish-path.js';
export {
  DispatchPipeline,
  normalizeHandler,
  type AttemptOutcome,
  type DeliveryOutcome,
  type DispatchPipelineOptions,
  type DispatchTarget,
} from './bus/dispatch-pipeline.js';
export { createDeadLetterRecord } from './bus/dead-letter-record.js';
export { createDeadLetters, InMemoryDeadLetterStore, type DeadLetterStore } from './bus/dead-letters.js';
export { ConnectionStateEmitter } from './bus/connection-state.js';
export { Deque } from './bus/deque.js';
export { PublishWindow } from './bus/publish-window.js';
export { CLOSE_OVERRUN_MS, closeReserveMs } from './bus/close-deadline.js';
export {
  DeliveryQueues,
  DeliveryQueue,
  type DeliveryQueuesOptions,
} from './bus/delivery-queues.js';
export { InMemoryEventBus, type InMemoryEventBusOptions } from './bus/in-memory-event-bus.js';
export type * from './store/types.js';
export {
  assertExpectedVersion,
  expectedVersionMatches,
  validateAppend,
  validateExpectedVersion,
  validateReadArgs,
} from './store/expected-version.js';
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
export { readBool, readEnum, readInt, readSecret, readString, readUrl, type Env } from './config/env.js';
export { formatServerUrl, parseServerUrl, type ServerUrl } from './config/server-url.js';
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
  upcastAll,
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
export { InMemorySnapshotStore, validateSnapshot, type Snapshot, type SnapshotStore } from './snapshots/snapshot-store.js';
export { InMemoryInbox, type InboxStore } from './inbox/inbox.js';
export { idempotent, type IdempotentOptions } from './inbox/idempotent.js';

// ---- Transport-author helpers -----------------------------------------------------------------
// What a transport package uses so that it checks options, backs off, merges connection states,
// replays dead letters and bounds close() exactly as core and the other transports do.
export { exponentialBackoff, type ExponentialBackoff } from './retry/backoff.js';
export { positiveInt } from './options/positive-int.js';
export { combinedConnectionState } from './bus/connection-state.js';
export {
  closeDeadline,
  HandlerSlots,
  stopHandlers,
  unsubscribeDeadline,
  type HandlerDeadline,
  type RunningHandlers,
} from './bus/close-deadline.js';
export {
  deserializeDeadLetter,
  serializeDeadLetter,
  type SerializedDeadLetter,
} from './bus/dead-letter-record.js';
export { replayDeadLetter, validateDeadLetterId, validateDeadLetterLimit } from './bus/dead-letters.js';
export { renamedOption } from './options/renamed-option.js';
