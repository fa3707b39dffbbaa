import { DecodeError, ValidationError, type Snapshot, type SnapshotStore } from '@herald/core';
import { validateSnapshot } from '@herald/core/transport';
import { RedisComponent, type RedisComponentOptions } from './redis-component.js';

export type RedisSnapshotStoreOptions = RedisComponentOptions;

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
export class RedisSnapshotStore extends RedisComponent implements SnapshotStore {
  private readonly saveScript: (key: string, version: number, record: string) => Promise<unknown>;

  constructor(options: RedisSnapshotStoreOptions) {
    super(options, 'redis-snapshot-store');
    this.saveScript = this.script('heraldSaveSnapshot', SAVE_SCRIPT, 1);
  }

  async save(snapshot: Snapshot): Promise<void> {
    validateSnapshot(snapshot);
    const record = `${snapshot.version}|${JSON.stringify(snapshot)}`;
    await this.call(() => this.saveScript(this.keys.snapshot(snapshot.aggregateId), snapshot.version, record));
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
}
