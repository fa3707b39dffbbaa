import { DEFAULT_MAX_EVENT_BYTES, ValidationError } from '@herald/core';
import { positiveInt, timerMs, renamedOption, type DispatchPipelineOptions } from '@herald/core/transport';
import { checkRedisSource, type RedisSource } from '@herald/redis-common';

export interface RedisStreamsEventBusOptions extends DispatchPipelineOptions {
  /**
   * An ioredis `Redis` or `Cluster` (the bus duplicates it for its own
   * connections and never closes it), ioredis options, or a `redis://` /
   * `rediss://` (TLS) URL.
   */
  redis: RedisSource;
  /** Prepended to every key. No braces: the bus places its own hash tags. Default `herald:`. */
  prefix?: string;
  /** Streams the events are spread over by `aggregateId` (else by type). Default 1. */
  partitions?: number;
  /**
   * Approximate length each stream is trimmed towards. Trimming never removes an
   * entry some consumer group has not read and acknowledged (see README). Default: no trimming.
   */
  maxLen?: number;
  /** An entry pending this long with no sign of life from its consumer is taken over by a live member. Default 15,000 ms. */
  claimIdleMs?: number;
  /** How long one XREADGROUP blocks waiting for entries. Default 2,000 ms. */
  blockMs?: number;
  /**
   * Entries a subscription reads ahead of its running handlers: each of its
   * readers holds up to `concurrency + readAhead` entries read and not yet
   * settled. A subscription has one reader on a single Redis and one per
   * partition on a Cluster (a blocking read holds its node connection), so on a
   * Cluster it holds up to `partitions × (concurrency + readAhead)`. A settled
   * entry waiting for its XACK keeps only its id and frees its place for the
   * next read (at most as many again wait for XACK). Default 10.
   */
  readAhead?: number;
  /**
   * @deprecated Use `readAhead` (same meaning). On RabbitMQ `prefetch` counts the
   * running handlers' messages too; here it never did.
   */
  prefetch?: number;
  /**
   * Bound on a publish: it rejects with PublishError after it. Also bounds the bus's
   * other requests once connecting is over: `subscribe()`, acknowledgements, dead-letter
   * commands, close's flush. Default 5,000 ms.
   */
  publishTimeoutMs?: number;
  /** Bound on `connect()`: it rejects with RedisStreamsConnectionError when Redis is not ready within it. Default 5,000 ms. */
  connectTimeoutMs?: number;
  /** How long close/unsubscribe wait for running handlers before aborting `ctx.signal`. Default 10,000 ms. */
  closeTimeoutMs?: number;
  /** CLIENT SETNAME base of the bus's connections (`<name>:publisher`, `<name>:reader`). Default `herald-streams`. */
  connectionName?: string;
  /** Dead letters kept (oldest dropped beyond, logged). Default 10,000. */
  maxDeadLetters?: number;
}

export interface ResolvedOptions {
  redis: RedisSource;
  prefix: string;
  partitions: number;
  maxLen: number | undefined;
  claimIdleMs: number;
  blockMs: number;
  readAhead: number;
  publishTimeoutMs: number;
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  connectionName: string;
  maxDeadLetters: number;
  maxRawChars: number;
}

export const DEFAULT_PREFIX = 'herald:';

/** What is wrong with a key prefix, if anything (the option and REDIS_STREAMS_PREFIX share the rule). */
export function prefixProblem(prefix: string): string | undefined {
  return /[{}]/.test(prefix) ? 'must not contain { or }: the bus places its own Redis Cluster hash tags after it' : undefined;
}

/** Checks and completes the options; ValidationError names the bad one. */
export function resolveOptions(options: RedisStreamsEventBusOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('options', 'must be an object with at least `redis`');
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string') throw new ValidationError('prefix', 'must be a string');
  const problem = prefixProblem(prefix);
  if (problem !== undefined) throw new ValidationError('prefix', problem);
  const connectionName = options.connectionName ?? 'herald-streams';
  if (typeof connectionName !== 'string' || !/^[!-~]+$/.test(connectionName)) {
    throw new ValidationError('connectionName', 'must be printable ASCII without spaces (CLIENT SETNAME)');
  }
  // Renamed: the old name stays a deprecated alias.
  const readAhead = renamedOption(options.readAhead, options.prefetch, { name: 'readAhead', deprecated: 'prefetch' });
  return {
    redis: checkRedisSource(options.redis, { component: 'RedisStreamsEventBus', cluster: true }),
    prefix,
    partitions: timerMs(options.partitions ?? 1, 'partitions'),
    maxLen: options.maxLen === undefined ? undefined : timerMs(options.maxLen, 'maxLen'),
    claimIdleMs: timerMs(options.claimIdleMs ?? 15_000, 'claimIdleMs'),
    blockMs: timerMs(options.blockMs ?? 2_000, 'blockMs'),
    readAhead: positiveInt(readAhead.value ?? 10, readAhead.field),
    publishTimeoutMs: positiveInt(options.publishTimeoutMs ?? 5_000, 'publishTimeoutMs'),
    connectTimeoutMs: positiveInt(options.connectTimeoutMs ?? 5_000, 'connectTimeoutMs'),
    closeTimeoutMs: positiveInt(options.closeTimeoutMs ?? 10_000, 'closeTimeoutMs'),
    connectionName,
    maxDeadLetters: positiveInt(options.maxDeadLetters ?? 10_000, 'maxDeadLetters'),
    maxRawChars: DEFAULT_MAX_EVENT_BYTES,
  };
}
