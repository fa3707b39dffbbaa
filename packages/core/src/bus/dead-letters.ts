import { ValidationError } from '../errors.js';
import type { DeadLetterRecord, DeadLetters } from './types.js';

/** Where a transport keeps dead letters. `take` removes what it returns, atomically per record. */
export interface DeadLetterStore {
  add(record: DeadLetterRecord): Promise<void>;
  list(limit?: number): Promise<DeadLetterRecord[]>;
  take(id: string | 'all'): Promise<DeadLetterRecord[]>;
  purge(): Promise<number>;
}

/** `limit` of `deadLetters.list`: absent or an integer ≥ 0, else a ValidationError. */
export function validateDeadLetterLimit(limit: unknown): void {
  if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 0)) {
    throw new ValidationError('limit', 'must be a non-negative integer');
  }
}

/** `id` of `deadLetters.replay`: a record id or `'all'`, else a ValidationError. */
export function validateDeadLetterId(id: unknown): void {
  if (typeof id !== 'string' || id.length === 0) {
    throw new ValidationError('id', 'must be a dead-letter id or "all"');
  }
}

/**
 * Replays one record: an undecodable one (no event) is not redelivered; a
 * redelivery resolving `false` reached nobody. Resolves true when the record
 * was replayed (count it, drop it), false when it stays a dead letter; rejects
 * with `redeliver`'s error (it stays, too). The rule every `deadLetters.replay`
 * follows, whether it takes records out of a store or replays them in place.
 */
export async function replayDeadLetter(
  record: DeadLetterRecord,
  redeliver: (record: DeadLetterRecord) => Promise<unknown>,
): Promise<boolean> {
  if (record.event === undefined) return false;
  return (await redeliver(record)) !== false;
}

/**
 * The one implementation of `bus.deadLetters`: replay takes records out of the
 * store and hands them to the transport's `redeliver`; records that cannot be
 * redelivered (undecodable raw messages, or a redelivery that failed) go back.
 */
export function createDeadLetters(
  store: DeadLetterStore,
  /**
   * Delivers a record's event again. Resolving `false` means nobody received it
   * (e.g. Redis PUBLISH reached no subscriber): the record is kept, not counted.
   */
  redeliver: (record: DeadLetterRecord) => Promise<unknown>,
): DeadLetters {
  return {
    async list(limit) {
      // async: a bad limit is a rejected promise like every other failure here, not a synchronous throw.
      validateDeadLetterLimit(limit);
      return store.list(limit);
    },
    async replay(id) {
      validateDeadLetterId(id);
      const records = await store.take(id);
      let replayed = 0;
      let firstError: unknown;
      for (const record of records) {
        try {
          if (await replayDeadLetter(record, redeliver)) {
            replayed++;
            continue;
          }
        } catch (error) {
          firstError ??= error;
        }
        await store.add(record);
      }
      if (firstError !== undefined) throw firstError;
      return replayed;
    },
    purge: () => store.purge(),
  };
}

/** Dead letters in process memory, oldest first, bounded (the oldest are dropped past `max`). */
export class InMemoryDeadLetterStore implements DeadLetterStore {
  private records: DeadLetterRecord[] = [];
  constructor(
    private readonly max = 10_000,
    private readonly onOverflow?: (dropped: DeadLetterRecord) => void,
  ) {}

  async add(record: DeadLetterRecord): Promise<void> {
    this.records.push(record);
    while (this.records.length > this.max) {
      const dropped = this.records.shift();
      if (dropped) this.onOverflow?.(dropped);
    }
  }

  async list(limit?: number): Promise<DeadLetterRecord[]> {
    return limit === undefined ? this.records.slice() : this.records.slice(0, limit);
  }

  async take(id: string): Promise<DeadLetterRecord[]> {
    if (id === 'all') {
      const all = this.records;
      this.records = [];
      return all;
    }
    const i = this.records.findIndex((r) => r.id === id);
    return i < 0 ? [] : this.records.splice(i, 1);
  }

  async purge(): Promise<number> {
    const n = this.records.length;
    this.records = [];
    return n;
  }
}
