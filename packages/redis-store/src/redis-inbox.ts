import { noopLogger, ValidationError, type InboxStore, type Logger } from '@herald/core';
import { closeRedis, openRedis, redactRedisError, type RedisConnection, type RedisInput } from './connection.js';
import { keyLayout, type KeyLayout } from './key-layout.js';
import { define } from './scripts.js';

export interface RedisInboxOptions {
  /** An ioredis client (left open on close), ioredis options or a redis:// / rediss:// URL. */
  redis: RedisInput;
  /** Prefix of every inbox key. Default `herald:`. */
  prefix?: string;
  logger?: Logger;
}

/** Deletes the claim only while it is still a claim: never a `done` record. KEYS[1]: the key. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == 'pending' then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/**
 * The idempotent-consumer inbox on Redis, shared by every process of a consumer:
 * a claim is `SET <key> pending NX PX <leaseMs>` (one atomic step, so of two
 * concurrent deliveries exactly one runs the handler), a success overwrites it
 * with `done` for `ttlMs`, a failure deletes it. Keys: `<prefix>inbox:<key>`.
 */
export class RedisInbox implements InboxStore {
  readonly keys: KeyLayout;
  private readonly connection: RedisConnection;
  private readonly releaseCommand: string;

  constructor(options: RedisInboxOptions) {
    if (options === null || typeof options !== 'object') throw new ValidationError('options', 'must be an object');
    this.keys = keyLayout(options.prefix);
    this.connection = openRedis(options.redis, options.logger ?? noopLogger, 'redis-inbox');
    this.releaseCommand = define(this.connection.client, 'heraldInboxRelease', RELEASE_SCRIPT, 1);
  }

  async claim(key: string, leaseMs: number): Promise<'claimed' | 'done' | 'busy'> {
    const k = this.keys.inbox(assertKey(key));
    const client = this.connection.client;
    const set = await this.call(() => client.set(k, 'pending', 'PX', leaseMs, 'NX'));
    if (set === 'OK') return 'claimed';
    // Held: done, or a claim of a run in progress (also when it expired in between: retried later).
    return (await this.call(() => client.get(k))) === 'done' ? 'done' : 'busy';
  }

  async complete(key: string, ttlMs: number): Promise<void> {
    const k = this.keys.inbox(assertKey(key));
    await this.call(() => this.connection.client.set(k, 'done', 'PX', ttlMs));
  }

  async release(key: string): Promise<void> {
    const k = this.keys.inbox(assertKey(key));
    const client = this.connection.client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    await this.call(() => client[this.releaseCommand]!(k));
  }

  /** Closes the connection if the inbox created it; a client passed in stays open. */
  async close(): Promise<void> {
    await closeRedis(this.connection);
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw redactRedisError(this.connection, error, 'redis-inbox');
    }
  }
}

function assertKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new ValidationError('key', 'must be a non-empty string');
  return key;
}
