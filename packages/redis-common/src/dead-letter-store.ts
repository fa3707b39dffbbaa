import type { DeadLetterRecord, EventCodec, Logger } from '@herald/core';
import {
  deserializeDeadLetter,
  serializeDeadLetter,
  type DeadLetterStore,
  type SerializedDeadLetter,
} from '@herald/core/transport';
import type { RedisClient } from './redis-source.js';

/** Runs a command on a live connection of the bus (bounded); the store does no connection handling. */
export type RunCommand = <T>(command: (client: RedisClient) => Promise<T>) => Promise<T>;

/** The Redis keys of one bus's dead letters. */
export function deadLetterKeys(prefix: string): { order: string; records: string } {
  return { order: `${prefix}dead-letters`, records: `${prefix}dead-letters:records` };
}

/** Appends a record and drops the oldest beyond the cap, atomically; returns how many were dropped. */
const ADD_SCRIPT = `
local n = redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local max = tonumber(ARGV[3])
if n <= max then return 0 end
local dropped = redis.call('LPOP', KEYS[1], n - max)
for _, id in ipairs(dropped) do redis.call('HDEL', KEYS[2], id) end
return #dropped
`;

/** Appends a batch of records (ARGV: cap, then id, json pairs) and drops the oldest beyond the cap. */
const ADD_MANY_SCRIPT = `
local max = tonumber(ARGV[1])
local n = 0
for i = 2, #ARGV, 2 do
  n = redis.call('RPUSH', KEYS[1], ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
if n <= max then return 0 end
local dropped = redis.call('LPOP', KEYS[1], n - max)
for _, id in ipairs(dropped) do redis.call('HDEL', KEYS[2], id) end
return #dropped
`;

/**
 * Dead letters in Redis, so they outlive the process: a list of record ids
 * in failure order (`<prefix>dead-letters`) and a hash of id → record
 * (`<prefix>dead-letters:records`). `take` of one id is a MULTI (HGET, HDEL,
 * LREM), so two processes replaying the same record cannot both get it.
 */
export class RedisDeadLetterStore implements DeadLetterStore {
  private readonly keys: { order: string; records: string };
  /** False once Redis refused EVAL (ACL without @scripting). */
  private scripts = true;

  constructor(
    prefix: string,
    private readonly run: RunCommand,
    private readonly codec: EventCodec,
    private readonly logger: Logger,
    private readonly max: number,
    /** Raw text of undecodable messages is kept up to this many characters. */
    private readonly maxRawChars: number,
  ) {
    this.keys = deadLetterKeys(prefix);
  }

  async add(record: DeadLetterRecord): Promise<void> {
    const json = JSON.stringify(this.serialize(record));
    const { order, records } = this.keys;
    let dropped: unknown;
    if (this.scripts) {
      try {
        dropped = await this.run((c) => c.eval(ADD_SCRIPT, 2, order, records, record.id, json, String(this.max)));
      } catch (error) {
        if (!/NOPERM/.test(String((error as Error)?.message))) throw error;
        this.scripts = false; // an ACL user without @scripting: MULTI instead (the cap is then approximate)
      }
    }
    if (!this.scripts) dropped = await this.addWithoutScript(record.id, json);
    if (Number(dropped) > 0) {
      this.logger.error({ dropped: Number(dropped), max: this.max }, 'dead-letter list full; oldest records dropped');
    }
  }

  /**
   * Appends records in one script (one round trip, one step on the server);
   * the oldest beyond the cap are dropped. Returns how many were dropped. The
   * caller keeps batches small enough not to stall Redis (DeadLetterBatcher).
   */
  async addMany(batch: readonly DeadLetterRecord[]): Promise<number> {
    if (batch.length === 0) return 0;
    const { order, records } = this.keys;
    const args: string[] = [String(this.max)];
    for (const record of batch) args.push(record.id, JSON.stringify(this.serialize(record)));
    if (this.scripts) {
      try {
        return Number(await this.run((c) => c.eval(ADD_MANY_SCRIPT, 2, order, records, ...args)));
      } catch (error) {
        if (!/NOPERM/.test(String((error as Error)?.message))) throw error;
        this.scripts = false;
      }
    }
    let dropped = 0;
    for (let i = 1; i < args.length; i += 2) dropped += await this.addWithoutScript(args[i]!, args[i + 1]!);
    return dropped;
  }

  private async addWithoutScript(id: string, json: string): Promise<number> {
    const { order, records } = this.keys;
    const results = await this.run((c) => c.multi().rpush(order, id).hset(records, id, json).exec());
    const over = Number(results?.[0]?.[1] ?? 0) - this.max;
    if (over <= 0) return 0;
    const ids = await this.run((c) => c.lpop(order, over));
    if (ids && ids.length > 0) await this.run((c) => c.hdel(records, ...ids));
    return ids?.length ?? 0;
  }

  async list(limit?: number): Promise<DeadLetterRecord[]> {
    if (limit === 0) return [];
    const { order, records } = this.keys;
    const ids = await this.run((c) => c.lrange(order, 0, limit === undefined ? -1 : limit - 1));
    if (ids.length === 0) return [];
    const values = await this.run((c) => c.hmget(records, ...ids));
    const out: DeadLetterRecord[] = [];
    for (const v of values) if (v !== null) out.push(this.deserialize(v));
    return out;
  }

  async take(id: string): Promise<DeadLetterRecord[]> {
    const { order, records } = this.keys;
    if (id === 'all') {
      const results = await this.run((c) => c.multi().lrange(order, 0, -1).hgetall(records).del(order, records).exec());
      const ids = (results?.[0]?.[1] ?? []) as string[];
      const byId = (results?.[1]?.[1] ?? {}) as Record<string, string>;
      const out: DeadLetterRecord[] = [];
      for (const i of ids) {
        const v = byId[i];
        if (v !== undefined) out.push(this.deserialize(v));
      }
      return out;
    }
    const results = await this.run((c) => c.multi().hget(records, id).hdel(records, id).lrem(order, 1, id).exec());
    const value = results?.[0]?.[1] as string | null | undefined;
    const deleted = Number(results?.[1]?.[1] ?? 0);
    return deleted === 1 && typeof value === 'string' ? [this.deserialize(value)] : [];
  }

  async purge(): Promise<number> {
    const { order, records } = this.keys;
    const results = await this.run((c) => c.multi().hlen(records).del(order, records).exec());
    return Number(results?.[0]?.[1] ?? 0);
  }

  private serialize(record: DeadLetterRecord): SerializedDeadLetter {
    return serializeDeadLetter(record, this.codec, this.maxRawChars);
  }

  private deserialize(json: string): DeadLetterRecord {
    return deserializeDeadLetter(JSON.parse(json) as SerializedDeadLetter, this.codec, (error, stored) => {
      // Written by a bus with another codec: kept listable, as raw text.
      this.logger.warn({ deadLetterId: stored.id, error: error.message }, 'dead-letter event no longer decodes; listed as raw');
    });
  }
}
