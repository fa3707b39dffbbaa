import { noopLogger, StoreClosedError, ValidationError, type Logger } from '@herald/core';
import { closeRedis, openRedis, redactRedisError, whenReady, type RedisConnection, type RedisInput } from './connection.js';
import { keyLayout, type KeyLayout } from './key-layout.js';
import { define } from './scripts.js';

/** What every Redis-backed helper of the store takes: constructed like RedisEventStore. */
export interface RedisComponentOptions {
  /** An ioredis client (left open on close), ioredis options or a redis:// / rediss:// URL. */
  redis: RedisInput;
  /** Same meaning as RedisEventStore's; use the same prefix to keep a store's data together. Default `herald:`. */
  prefix?: string;
  /** Receives connection errors of a client the component created. Default: silent. */
  logger?: Logger;
  /** Same meaning as RedisEventStore's: the bound on waiting for Redis. Default 5,000 ms. */
  connectTimeoutMs?: number;
}

/**
 * The shared part of the checkpoint, snapshot and inbox stores: the key layout,
 * the connection (the user's client or one it owns), redacted errors, scripts.
 */
export abstract class RedisComponent {
  readonly keys: KeyLayout;
  protected readonly connection: RedisConnection;
  private readonly connectTimeoutMs: number;
  private closed = false;

  protected constructor(
    options: RedisComponentOptions,
    private readonly component: string,
  ) {
    if (options === null || typeof options !== 'object') throw new ValidationError('options', 'must be an object');
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    if (!Number.isInteger(this.connectTimeoutMs) || this.connectTimeoutMs < 1) {
      throw new ValidationError('connectTimeoutMs', 'must be an integer ≥ 1');
    }
    this.keys = keyLayout(options.prefix);
    this.connection = openRedis(options.redis, options.logger ?? noopLogger, component);
  }

  /**
   * Closes the connection if this component created it; a client passed in stays open.
   * Idempotent; every later call rejects with StoreClosedError (it would otherwise open a new connection).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeRedis(this.connection);
  }

  /** Runs a command once Redis is ready (bounded); its error leaves with secrets masked (or as a ConnectionError). */
  protected async call<T>(command: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreClosedError(`${this.component}: the store is closed`);
    try {
      if (this.connection.client.status !== 'ready') {
        await whenReady(this.connection, this.connectTimeoutMs, this.component);
      }
      return await command();
    } catch (error) {
      throw redactRedisError(this.connection, error, this.component);
    }
  }

  /** Registers a Lua script (EVALSHA with EVAL fallback) and returns a function that runs it. */
  protected script(name: string, lua: string, numberOfKeys: number): (...args: Array<string | number>) => Promise<unknown> {
    const command = define(this.connection.client, name, lua, numberOfKeys);
    const client = this.connection.client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    return (...args) => client[command]!(...args);
  }
}
