import { ValidationError, type CheckpointStore } from '@herald/core';
import { RedisComponent, type RedisComponentOptions } from './redis-component.js';

export type RedisCheckpointStoreOptions = RedisComponentOptions;

/**
 * Where an OutboxRelay remembers its next position: one hash field per relay
 * name in `<prefix>{es}:checkpoints`, so checkpoints survive the process and
 * live in the same hash slot as the store they follow.
 */
export class RedisCheckpointStore extends RedisComponent implements CheckpointStore {
  constructor(options: RedisCheckpointStoreOptions) {
    super(options, 'redis-checkpoint-store');
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
}

function assertName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw new ValidationError('name', 'must be a non-empty string');
}
