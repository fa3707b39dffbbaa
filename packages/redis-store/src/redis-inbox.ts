import { ValidationError, type InboxStore } from '@herald/core';
import { RedisComponent, type RedisComponentOptions } from './redis-component.js';

export type RedisInboxOptions = RedisComponentOptions;

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
export class RedisInbox extends RedisComponent implements InboxStore {
  private readonly releaseScript: (key: string) => Promise<unknown>;

  constructor(options: RedisInboxOptions) {
    super(options, 'redis-inbox');
    this.releaseScript = this.script('heraldInboxRelease', RELEASE_SCRIPT, 1);
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
    await this.call(() => this.releaseScript(k));
  }
}

function assertKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new ValidationError('key', 'must be a non-empty string');
  return key;
}
