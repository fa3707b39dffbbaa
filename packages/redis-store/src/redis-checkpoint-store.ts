import { noopLogger, ValidationError, type CheckpointStore, type Logger } from '@herald/core';
import { closeRedis, openRedis, redactRedisError, whenReady, type RedisConnection, type RedisInput } from './connection.js';
import { keyLayout, type KeyLayout } from './key-layout.js';

export interface RedisCheckpointStoreOptions {
  /** An ioredis client (left open on close), ioredis options or a redis:// / rediss:// URL. */
  redis: RedisInput;
  /** Same meaning as RedisEventStore's; use the same prefix to keep a store's data together. Default `herald:`. */
  prefix?: string;
  logger?: Logger;
  /** Same meaning as RedisEventStore's: the bound on waiting for Redis. Default 5,000 ms. */
  connectTimeoutMs?: number;
}

/**
 * Where an OutboxRelay remembers its next position: one hash field per relay
 * name in `<prefix>{es}:checkpoints`, so checkpoints survive the process and
 * live in the same hash slot as the store they follow.
 */
export class RedisCheckpointStore implements CheckpointStore {
  readonly keys: KeyLayout;
  private readonly connection: RedisConnection;
  private readonly connectTimeoutMs: number;

  constructor(options: RedisCheckpointStoreOptions) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    if (!Number.isInteger(this.connectTimeoutMs) || this.connectTimeoutMs < 1) {
      throw new ValidationError('connectTimeoutMs', 'must be an integer ≥ 1');
    }
    this.keys = keyLayout(options.prefix);
    this.connection = openRedis(options.redis, options.logger ?? noopLogger, 'redis-checkpoint-store');
  }

  async load(name: string): Promise<number | undefined> {
    assertName(name);
    const value = await this.call(() => this.connection.client.hget(this.keys.checkpoints, name));
    return value === null ? undefined : Number(value);
  }

  async save(name: string, position: number): Promise<void> {
    assertName(name);
    if (!Number.isInteger(position) || position < 0) throw new ValidationError('position', 'must be an integer ≥ 0');
    await this.call(() => this.connection.client.hset(this.keys.checkpoints, name, position));
  }

  async close(): Promise<void> {
    await closeRedis(this.connection);
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      if (this.connection.client.status !== 'ready') {
        await whenReady(this.connection, this.connectTimeoutMs, 'redis-checkpoint-store');
      }
      return await command();
    } catch (error) {
      throw redactRedisError(this.connection, error, 'redis-checkpoint-store');
    }
  }
}

function assertName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw new ValidationError('name', 'must be a non-empty string');
}
