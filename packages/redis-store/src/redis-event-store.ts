import {
  ConcurrencyError,
  noopLogger,
  ValidationError,
  type AppendResult,
  type DomainEvent,
  type EventStore,
  type ExpectedVersion,
  type Logger,
  type StoredEvent,
  type Upcasters,
  StoreClosedError,
} from '@herald/core';
import { validateAppend, validateReadArgs, upcastAll } from '@herald/core/transport';
import type { Redis } from 'ioredis';
import { closeRedis, openRedis, redactRedisError, whenReady, type RedisConnection, type RedisInput } from './connection.js';
import { keyLayout, type KeyLayout } from './key-layout.js';
import { defineStoreScripts, type StoreScripts } from './scripts.js';
import { decodeStoredEvent, encodeEventBody } from './stored-event-codec.js';

export interface RedisEventStoreOptions {
  /** An ioredis client or Cluster (left open on close), ioredis options or a redis:// / rediss:// URL. */
  redis: RedisInput;
  /** Prefix of every key the store writes. Default `herald:`. */
  prefix?: string;
  /** Receives connection errors of a client the store created. Default: silent. */
  logger?: Logger;
  /** Applied to every event read (getEvents, getAllEvents); saved events get the current schema version stamped. */
  upcasters?: Upcasters;
  /**
   * How long a call waits for Redis to be reachable (connecting, or reconnecting
   * after a drop) before it rejects with ConnectionError. A first connection
   * that is refused outright rejects at once. Default 5,000 ms.
   */
  connectTimeoutMs?: number;
}

/**
 * Most events one `saveEvents` takes. An append is one Lua script, and Redis
 * runs nothing else while a script runs: 5,000 events hold it for about
 * 75 ms of server time (10,000 for about 150 ms, 60,000 for over a second),
 * every other client waiting. Larger imports append in batches.
 */
export const MAX_EVENTS_PER_APPEND = 5_000;

/** Fields fetched per HMGET when paging the log: bounds one reply, however large batchSize is. */
const LOG_CHUNK = 1_000;

/**
 * The event store on Redis. Appends are one Lua script (check, assign positions,
 * write), reads are one HMGET (log) or one script (stream). See key-layout.ts for
 * the keys and append-script.ts for why positions are dense.
 */
export class RedisEventStore implements EventStore {
  readonly keys: KeyLayout;
  private readonly connection: RedisConnection;
  private readonly scripts: StoreScripts;
  private readonly connectTimeoutMs: number;
  private closed = false;
  private readonly upcasters: Upcasters | undefined;
  private readonly appendListeners = new Set<() => void>();

  constructor(options: RedisEventStoreOptions) {
    if (options === null || typeof options !== 'object') throw new ValidationError('options', 'must be an object');
    const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs < 1) {
      throw new ValidationError('connectTimeoutMs', 'must be an integer ≥ 1');
    }
    this.connectTimeoutMs = connectTimeoutMs;
    this.keys = keyLayout(options.prefix);
    this.connection = openRedis(options.redis, options.logger ?? noopLogger);
    this.scripts = defineStoreScripts(this.connection.client);
    this.upcasters = options.upcasters !== undefined && options.upcasters.size > 0 ? options.upcasters : undefined;
  }

  /** The ioredis client the store uses (the user's, or the one it created). */
  get redis(): Redis {
    return this.connection.client;
  }

  async saveEvents(streamId: string, events: DomainEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    this.assertOpen();
    if (Array.isArray(events) && events.length > MAX_EVENTS_PER_APPEND) {
      throw new ValidationError(
        'events',
        `at most ${MAX_EVENTS_PER_APPEND} events per append (got ${events.length}): one append is one script that blocks Redis while it runs; append in batches`,
      );
    }
    validateAppend(streamId, events, expectedVersion);
    const upcasters = this.upcasters;
    const bodies = upcasters === undefined ? events.map(encodeEventBody) : events.map((e) => encodeEventBody(upcasters.stamp(e)));
    const reply = (await this.call(() =>
      this.scripts.append(this.keys.stream(streamId), this.keys.events, this.keys.head, String(expectedVersion), ...bodies),
    )) as [number, number, number?];
    if (reply[0] === 0) throw new ConcurrencyError(streamId, expectedVersion, reply[1]);
    if (events.length > 0) this.notifyAppend();
    return { nextExpectedVersion: reply[1], lastPosition: reply[2]! };
  }

  async getEvents(streamId: string, fromVersion = 0): Promise<StoredEvent[]> {
    this.assertOpen();
    if (typeof streamId !== 'string' || streamId.length === 0) {
      throw new ValidationError('streamId', 'must be a non-empty string');
    }
    validateReadArgs(fromVersion, 'fromVersion');
    const reply = (await this.call(() =>
      this.scripts.readStream(this.keys.stream(streamId), this.keys.events, Math.max(fromVersion, 1) - 1),
    )) as string[];
    return upcastAll(
      reply.map((record) => decodeStoredEvent(record)),
      this.upcasters,
    );
  }

  /**
   * Positions are dense, so the page [from, from + batchSize) is a direct HMGET of
   * those fields: O(batchSize), whatever the size of the log. Fields past the
   * head come back null; the first null ends the page.
   */
  async getAllEvents(fromPosition = 0, batchSize = 100): Promise<StoredEvent[]> {
    this.assertOpen();
    validateReadArgs(fromPosition, 'fromPosition', batchSize);
    const out: StoredEvent[] = [];
    let next = Math.max(fromPosition, 1);
    const end = next + batchSize;
    while (next < end) {
      const count = Math.min(LOG_CHUNK, end - next);
      const fields = Array.from({ length: count }, (_, i) => String(next + i));
      const records = await this.call(() => this.connection.client.hmget(this.keys.events, ...fields));
      for (let i = 0; i < records.length; i++) {
        const record = records[i];
        if (record === null || record === undefined) return upcastAll(out, this.upcasters);
        out.push(decodeStoredEvent(record));
      }
      next += count;
    }
    return upcastAll(out, this.upcasters);
  }

  /** The last position assigned (0 for an empty store): one GET. */
  async headPosition(): Promise<number> {
    this.assertOpen();
    const head = await this.call(() => this.connection.client.get(this.keys.head));
    return head === null ? 0 : Number(head);
  }

  /**
   * Calls `listener` after every append made through this instance. Appends by
   * other instances and processes are not signalled: subscriptions see them by polling.
   */
  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  private notifyAppend(): void {
    // A wake-up only: a listener that throws must not turn a written append into a failure.
    for (const listener of this.appendListeners) {
      try {
        listener();
      } catch {}
    }
  }

  /** Closes the connection if the store created it; a client passed in stays open. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeRedis(this.connection);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError('RedisEventStore is closed');
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      if (this.connection.client.status !== 'ready') await whenReady(this.connection, this.connectTimeoutMs);
      return await command();
    } catch (error) {
      throw redactRedisError(this.connection, error);
    }
  }
}
