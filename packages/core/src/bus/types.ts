import type { BaseEvent } from '../events/types.js';
import type { RetryStrategy } from '../retry/retry-strategy.js';

export interface Subscription {
  readonly id: string;
  readonly pattern: string;
  readonly group?: string;
  readonly concurrency: number;
}

export interface HandlerContext {
  /** 1-based: 1 is the first try. */
  attempt: number;
  maxAttempts: number;
  subscription: Subscription;
  /** Aborted when the bus gives up waiting for this handler (close/unsubscribe timeout). */
  signal: AbortSignal;
}

export type HandlerFunction<T extends BaseEvent = BaseEvent> = (
  event: T,
  ctx: HandlerContext,
) => Promise<void> | void;

export interface EventHandler<T extends BaseEvent = BaseEvent> {
  handle(event: T, ctx: HandlerContext): Promise<void> | void;
  /** Return false to skip the event; it is settled, not redelivered. */
  filter?(event: T): boolean;
  /** Called once when the last attempt failed, before the event is dead-lettered. */
  errorHandler?(error: Error, event: T): Promise<void> | void;
  retryStrategy?: RetryStrategy;
}

export interface SubscribeOptions {
  /** Subscribers with the same group compete for events; each event goes to one of them. */
  group?: string;
  /** Events handled at once by this subscription. Default 1 (ordered). */
  concurrency?: number;
}

export interface TransportCapabilities {
  /** Events survive a restart of the bus process (broker-held). */
  persistent: boolean;
  /** `group` is supported. */
  consumerGroups: boolean;
  /** An event whose handling was interrupted by a crash is delivered again. */
  redelivery: boolean;
  /** concurrency 1 gives publish order per publisher. */
  ordered: boolean;
  /** Dead letters are kept and can be listed, replayed and purged. */
  deadLetters: boolean;
}

export interface DeadLetterRecord {
  id: string;
  /** The event, when it could be decoded. */
  event?: BaseEvent;
  /** The undecodable message as UTF-8 text, when it could not be. */
  raw?: string;
  error: { name: string; message: string; stack?: string };
  attempts: number;
  pattern: string;
  group?: string;
  failedAt: Date;
}

export interface DeadLetters {
  /** Oldest first. */
  list(limit?: number): Promise<DeadLetterRecord[]>;
  /** Delivers dead-lettered events again; returns how many were replayed. Raw records stay. */
  replay(id: string | 'all'): Promise<number>;
  /** Removes every dead letter; returns how many. */
  purge(): Promise<number>;
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'reconnecting' | 'closed';

export interface ConnectionStateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** Why, when the change was caused by an error. Never contains credentials. */
  error?: Error;
  /**
   * The server the change is about, when the transport knows several (e.g. the
   * node of a RabbitMQ cluster connected to, or lost), as `scheme://host:port/…`
   * without credentials.
   */
  endpoint?: string;
}

export type HandleStatus = 'success' | 'filtered' | 'retrying' | 'dead_lettered' | 'failed';

/** What a middleware's `onOutcome` hears after each handling attempt. */
export interface HandleOutcome {
  status: HandleStatus;
  attempt: number;
  maxAttempts: number;
  subscription: Subscription;
  /** Milliseconds spent in filter + middleware + handler for this attempt. */
  durationMs: number;
  /**
   * When the attempt ended, in epoch milliseconds (fractional): the instant `durationMs`
   * was measured to, on the wall clock (followed within a second when it is stepped). Set
   * by core's DispatchPipeline, so an observer needs no clock read of its own; optional
   * for outcomes built elsewhere.
   */
  endedAt?: number;
  error?: Error;
}

export interface EventBusMiddleware {
  readonly name?: string;
  publish?(event: BaseEvent, next: (event: BaseEvent) => Promise<void>): Promise<void>;
  handle?(event: BaseEvent, ctx: HandlerContext, next: () => Promise<void>): Promise<void>;
  /** Observes every attempt's outcome (success, filtered, retrying, dead_lettered, failed). Must not throw. */
  onOutcome?(event: BaseEvent, outcome: HandleOutcome): void;
}

export interface EventBus {
  publish(event: BaseEvent): Promise<void>;
  publishAll(events: BaseEvent[]): Promise<void>;
  subscribe<T extends BaseEvent = BaseEvent>(
    pattern: string,
    handler: EventHandler<T> | HandlerFunction<T>,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
  unsubscribe(subscription: Subscription): Promise<void>;
  close(): Promise<void>;
  /** Resolves once the transport is reachable; rejects fast when it is not. */
  connect(): Promise<void>;
  on(event: 'connection', listener: (change: ConnectionStateChange) => void): () => void;
  readonly capabilities: TransportCapabilities;
  readonly deadLetters: DeadLetters;
}
