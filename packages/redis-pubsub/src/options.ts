import { DEFAULT_MAX_EVENT_BYTES, ValidationError } from '@herald/core';
import { positiveInt, timerMs, renamedOption, type DispatchPipelineOptions } from '@herald/core/transport';
import type { RedisSource } from './redis-clients.js';

export interface RedisPubSubEventBusOptions extends DispatchPipelineOptions {
  /**
   * An ioredis instance (the bus duplicates it for its two connections and
   * never closes it), ioredis options, or a `redis://` / `rediss://` (TLS) URL.
   */
  redis: RedisSource;
  /** Prepended to every channel (`<prefix><event.type>`) and key. Default `herald:`. */
  prefix?: string;
  /**
   * Bound on a publish (waiting for a reconnection included): it rejects with
   * PublishError after it. Also bounds the bus's other requests once connecting
   * is over: `subscribe()`, dead-letter commands, close's flush. Default 5,000 ms.
   */
  publishTimeoutMs?: number;
  /** Bound on `connect()`: it rejects with RedisConnectionError when Redis is not ready within it. Default 5,000 ms. */
  connectTimeoutMs?: number;
  /** How long close/unsubscribe wait for running handlers before aborting `ctx.signal`. Default 10,000 ms. */
  closeTimeoutMs?: number;
  /** CLIENT SETNAME base: connections are `<connectionName>:publisher` and `:subscriber`. Default `herald-pubsub`. */
  connectionName?: string;
  /** Dead letters kept in Redis (oldest dropped beyond, logged). Default 10,000. */
  maxDeadLetters?: number;
  /**
   * Events buffered per subscription (received, not yet handled). Redis
   * pub/sub cannot slow a publisher, so an event for a subscription whose
   * buffer is full is shed: dead-lettered with an OverflowError (code
   * `OVERFLOW`), counted and logged once per interval. Bounds the memory a
   * slow subscriber can take. Default 10,000.
   */
  maxBufferedEvents?: number;
  /**
   * @deprecated Use `maxBufferedEvents` (same meaning). `highWaterMark` names the buffer
   * past which `publish` waits (InMemoryEventBus); here nothing waits, events past it are shed.
   */
  highWaterMark?: number;
  /**
   * Publishes awaiting Redis's reply at once (a `publishAll` counts one per
   * event). Past it `publish` waits, in order, for one to settle; the wait counts
   * within `publishTimeoutMs`, after which it rejects with PublishError. Bounds
   * the memory of a publisher that does not await. Default 10,000.
   */
  maxPublishesInFlight?: number;
}

export interface ResolvedOptions {
  redis: RedisSource;
  prefix: string;
  publishTimeoutMs: number;
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  connectionName: string;
  maxDeadLetters: number;
  maxBufferedEvents: number;
  maxPublishesInFlight: number;
  /** Raw text of an undecodable message kept in its dead letter. */
  maxRawChars: number;
}

export const DEFAULT_PREFIX = 'herald:';

/** Checks and completes the options; ValidationError names the bad one. */
export function resolveOptions(options: RedisPubSubEventBusOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('options', 'must be an object with at least `redis`');
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string') throw new ValidationError('prefix', 'must be a string');
  const connectionName = options.connectionName ?? 'herald-pubsub';
  if (typeof connectionName !== 'string' || !/^[!-~]+$/.test(connectionName)) {
    throw new ValidationError('connectionName', 'must be printable ASCII without spaces (CLIENT SETNAME)');
  }
  // Renamed: the old name stays a deprecated alias.
  const maxBufferedEvents = renamedOption(options.maxBufferedEvents, options.highWaterMark, { name: 'maxBufferedEvents', deprecated: 'highWaterMark' });
  return {
    redis: options.redis,
    prefix,
    publishTimeoutMs: timerMs(options.publishTimeoutMs ?? 5_000, 'publishTimeoutMs'),
    connectTimeoutMs: timerMs(options.connectTimeoutMs ?? 5_000, 'connectTimeoutMs'),
    closeTimeoutMs: timerMs(options.closeTimeoutMs ?? 10_000, 'closeTimeoutMs'),
    connectionName,
    maxDeadLetters: positiveInt(options.maxDeadLetters ?? 10_000, 'maxDeadLetters'),
    maxBufferedEvents: positiveInt(maxBufferedEvents.value ?? 10_000, maxBufferedEvents.field),
    maxPublishesInFlight: positiveInt(options.maxPublishesInFlight ?? 10_000, 'maxPublishesInFlight'),
    maxRawChars: DEFAULT_MAX_EVENT_BYTES,
  };
}
