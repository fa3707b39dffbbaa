import { toError, type DeadLetterRecord, type Logger, type Redactor } from '@herald/core';
import type { RedisDeadLetterStore } from '@herald/redis-common';

/** Records per script: one script holds Redis while it runs, so a batch stays small. */
export const DEAD_LETTER_BATCH = 500;

interface Queued {
  readonly record: DeadLetterRecord;
  /** true once written (or evicted by the cap); false when the write failed or was given up at the close deadline. */
  readonly resolve: (stored: boolean) => void;
}

/**
 * Writes the bus's dead letters to Redis in batches: records handed over in
 * the same turn of the event loop (a close with a backlog, a burst of events
 * shed by a full subscription) go out as one script per DEAD_LETTER_BATCH
 * records instead of one EVAL each. At most `max` records wait (the Redis
 * list keeps only the newest `max` anyway): older waiting ones are dropped
 * without being written. Failures and drops are logged once per flush, never
 * per record. `add` never rejects: it resolves false for a record that could
 * not be stored. After `giveUpAt(deadline)` (close), no batch starts that is
 * not expected to end by the deadline: the rest resolve false at once, and
 * the bus's close reports them in its one summary line.
 */
export class DeadLetterBatcher {
  private queued: Queued[] = [];
  private scheduled = false;
  private flushing: Promise<void> | undefined;
  private dropped = 0;
  /** `performance.now()` time past which no batch starts (close); none before close. */
  private deadline = Number.POSITIVE_INFINITY;
  /** How long the last batch took: a batch starts only if one more of these still ends by the deadline. */
  private lastBatchMs = 0;

  constructor(
    private readonly store: RedisDeadLetterStore,
    private readonly max: number,
    private readonly logger: Logger,
    private readonly redactor: Redactor,
  ) {}

  add(record: DeadLetterRecord): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      this.queued.push({ record, resolve });
      if (this.queued.length > this.max * 2) this.dropOldest();
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** From now on, records that cannot be written by `deadline` (a `performance.now()` time) are given up. */
  giveUpAt(deadline: number): void {
    this.deadline = deadline;
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
    // Dead-lettered and at once evicted by the cap, as the list's own trim would: not "lost" (logged as dropped).
    for (const q of gone) q.resolve(true);
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
      const startedAt = performance.now();
      if (startedAt + this.lastBatchMs > this.deadline) {
        // Close deadline: not written, and not logged here (close counts them in its summary line).
        for (const q of this.queued.splice(0)) q.resolve(false);
        break;
      }
      const batch = this.queued.splice(0, DEAD_LETTER_BATCH);
      let stored = true;
      try {
        evicted += await this.store.addMany(batch.map((q) => q.record));
      } catch (error) {
        stored = false;
        lost += batch.length;
        firstError ??= this.redactor.text(toError(error).message);
      }
      this.lastBatchMs = performance.now() - startedAt;
      for (const q of batch) q.resolve(stored);
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
