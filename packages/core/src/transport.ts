/**
 * `@herald/core/transport`: what a transport or store author builds with — the
 * dispatch pipeline, delivery queues, publish window, connection-state
 * helpers, dead-letter bookkeeping, option and URL checks. An application
 * needs none of it (its API is `@herald/core`), and it may change in a minor
 * release, with a changeset saying how: see "For transport authors" in the
 * README.
 */
export { copyFields } from './events/copy-fields.js';
export { validateEvents, type EventCheck } from './events/validate-events.js';
export { RouteTable } from './pattern/route-table.js';
export { backoffDelay, deadLetterEnabled } from './retry/retry-strategy.js';
export { exponentialBackoff, type ExponentialBackoff } from './retry/backoff.js';
export { MAX_TIMER_MS, positiveInt, timerMs } from './options/positive-int.js';
export { renamedOption } from './options/renamed-option.js';
export { formatServerUrl, parseServerUrl, type ServerUrl } from './config/server-url.js';
export { PublishPath, type EncodedEvent, type PublishPathOptions, type TransmitBatch } from './bus/publish-path.js';
export { callPublish, composeHandle, composePublish, publishEach, type InvokeFn, type PublishFn } from './bus/middleware.js';
export {
  DispatchPipeline,
  normalizeHandler,
  type AttemptOutcome,
  type DeliveryOutcome,
  type DispatchPipelineOptions,
  type DispatchTarget,
} from './bus/dispatch-pipeline.js';
export {
  createDeadLetterRecord,
  deserializeDeadLetter,
  serializeDeadLetter,
  type SerializedDeadLetter,
} from './bus/dead-letter-record.js';
export {
  createDeadLetters,
  InMemoryDeadLetterStore,
  replayDeadLetter,
  validateDeadLetterId,
  validateDeadLetterLimit,
  type DeadLetterStore,
} from './bus/dead-letters.js';
export { combinedConnectionState, ConnectionStateEmitter } from './bus/connection-state.js';
export { Deque } from './bus/deque.js';
export { PublishWindow } from './bus/publish-window.js';
export { DeliveryQueues, DeliveryQueue, type DeliveryQueuesOptions } from './bus/delivery-queues.js';
export {
  CLOSE_OVERRUN_MS,
  closeDeadline,
  closeReserveMs,
  HandlerSlots,
  stopHandlers,
  unsubscribeDeadline,
  type HandlerDeadline,
  type RunningHandlers,
} from './bus/close-deadline.js';
export { InFlight } from './bus/in-flight.js';
export {
  assertExpectedVersion,
  expectedVersionMatches,
  validateAppend,
  validateExpectedVersion,
  validateReadArgs,
} from './store/expected-version.js';
export { upcastAll } from './upcasting/upcasters.js';
export { validateSnapshot } from './snapshots/snapshot-store.js';
