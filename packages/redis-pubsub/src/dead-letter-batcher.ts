import { toError, type DeadLetterRecord, type Logger, type Redactor } from '@herald/core';
import type { RedisDeadLetterStore } from './dead-letter-store.js';

/** Records per script: one script holds Redis while it runs, so a batch stays small. */
export const DEAD_LETTER_BATCH = 500;

interface Queued {
  readonly record: DeadLetterRecord;
  readonly resolve: () => void;
}

/**
 * Writes the bus's dead letters to Redis in batches: records handed over in
 * the same turn of the event loop (a close with a backlog, a burst of events
 * shed by a full subscription) go out as one script per DEAD_LETTER_BATCH
 * records instead of one EVAL each. At most `max` records wait (the Redis
 * list keeps only the newest `max` anyway): older waiting ones are dropped
 * without being written. Failures and drops are logged once per flush, never
 * per record. `add` never rejects: a record that cannot be stored is lost,
 * and said so in that log line.
 */
export class DeadLetterBatcher {
  private queued: Queued[] = [];
  private scheduled = false;
  private flushing: Promise<void> | undefined;
  private dropped = 0;

  constructor(
    private readonly store: RedisDeadLetterStore,
    private readonly max: number,
    private readonly logger: Logger,
    private readonly redactor: Redactor,
  ) {}

  add(record: DeadLetterRecord): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queued.push({ record, resolve });
      if (this.queued.length > this.max * 2) this.dropOldest();
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Resolves once everything handed over so far is written (or given up). */
  async whenFlushed(): Promise<void> {
    while (this.queued.length > 0 || this.flushing) {
      await (this.flushing ?? this.flush());
    }
  }

  private dropOldest(): void {
    const over = this.queued.length - this.max;
    const gone = this.queued.splice(0, over);
    this.dropped += gone.length;
    for (const q of gone) q.resolve();
  }

  private flush(): Promise<void> {
    this.scheduled = false;
    if (this.flushing) return this.flushing;
    this.flushing = this.writeAll().finally(() => {
      this.flushing = undefined;
      if (this.queued.length > 0 && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    if (this.queued.length > this.max) this.dropOldest();
    let lost = 0;
    let evicted = 0;
    let firstError: string | undefined;
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0, DEAD_LETTER_BATCH);
      try {
        evicted += await this.store.addMany(batch.map((q) => q.record));
      } catch (error) {
        lost += batch.length;
        firstError ??= this.redactor.text(toError(error).message);
      }
      for (const q of batch) q.resolve();
    }
    const dropped = this.dropped + evicted;
    this.dropped = 0;
    if (dropped > 0) {
      this.logger.error({ transport: 'redis-pubsub', dropped, max: this.max }, 'redis-pubsub: dead-letter list full; oldest records dropped');
    }
    if (lost > 0) {
      this.logger.error(
        { transport: 'redis-pubsub', lost, error: firstError },
        'redis-pubsub: could not store dead letters in Redis; they are lost',
      );
    }
  }
}
