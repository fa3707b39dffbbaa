import { DecodeError, noopLogger, ValidationError, validateSnapshot, type Logger, type Snapshot, type SnapshotStore } from '@herald/core';
import { closeRedis, openRedis, redactRedisError, type RedisConnection, type RedisInput } from './connection.js';
import { keyLayout, type KeyLayout } from './key-layout.js';
import { define } from './scripts.js';

export interface RedisSnapshotStoreOptions {
  /** An ioredis client (left open on close), ioredis options or a redis:// / rediss:// URL. */
  redis: RedisInput;
  /** Same meaning as RedisEventStore's; use the same prefix to keep a store's data together. Default `herald:`. */
  prefix?: string;
  logger?: Logger;
}

/**
 * Keeps the snapshot only when it is not older than the one stored, in one step,
 * so racing savers never move it back. KEYS[1]: snapshot key; ARGV: version, record.
 */
const SAVE_SCRIPT = `
local kept = redis.call('GET', KEYS[1])
if kept then
  local bar = string.find(kept, '|', 1, true)
  if bar and tonumber(string.sub(kept, 1, bar - 1)) > tonumber(ARGV[1]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

/**
 * Snapshots on Redis: one string per aggregate, `<prefix>{es}:snapshot:<id>`,
 * holding `<version>|<json>`. The state is stored as JSON: Dates in it come
 * back as ISO strings, so `restoreSnapshot` should revive what it needs.
 */
export class RedisSnapshotStore implements SnapshotStore {
  readonly keys: KeyLayout;
  private readonly connection: RedisConnection;
  private readonly saveCommand: string;

  constructor(options: RedisSnapshotStoreOptions) {
    if (options === null || typeof options !== 'object') throw new ValidationError('options', 'must be an object');
    this.keys = keyLayout(options.prefix);
    this.connection = openRedis(options.redis, options.logger ?? noopLogger, 'redis-snapshot-store');
    this.saveCommand = define(this.connection.client, 'heraldSaveSnapshot', SAVE_SCRIPT, 1);
  }

  async save(snapshot: Snapshot): Promise<void> {
    validateSnapshot(snapshot);
    const record = `${snapshot.version}|${JSON.stringify(snapshot)}`;
    const client = this.connection.client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    await this.call(() => client[this.saveCommand]!(this.keys.snapshot(snapshot.aggregateId), snapshot.version, record));
  }

  async load(aggregateId: string): Promise<Snapshot | undefined> {
    if (typeof aggregateId !== 'string' || aggregateId.length === 0) {
      throw new ValidationError('aggregateId', 'must be a non-empty string');
    }
    const record = await this.call(() => this.connection.client.get(this.keys.snapshot(aggregateId)));
    if (record === null) return undefined;
    const bar = record.indexOf('|');
    try {
      return JSON.parse(record.slice(bar + 1)) as Snapshot;
    } catch (cause) {
      throw new DecodeError(`snapshot of "${aggregateId}" is unreadable`, Buffer.from(record, 'utf8'), { cause });
    }
  }

  /** Closes the connection if the store created it; a client passed in stays open. */
  async close(): Promise<void> {
    await closeRedis(this.connection);
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw redactRedisError(this.connection, error, 'redis-snapshot-store');
    }
  }
}
