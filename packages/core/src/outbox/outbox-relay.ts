import type { EventBus } from '../bus/types.js';
import { ValidationError, toError } from '../errors.js';
import type { DomainEvent } from '../events/types.js';
import { noopLogger, type Logger } from '../logger.js';
import { sleep } from '../retry/sleep.js';
import type { EventStore, StoredEvent } from '../store/types.js';
import type { CheckpointStore } from './checkpoint-store.js';

export interface OutboxRelayOptions {
  /** Checkpoint name; run one relay per name. Default 'outbox'. */
  name?: string;
  /** Events read and published per step. Bounds the duplicates after a crash. Default 100. */
  batchSize?: number;
  /** Wait when caught up, in ms. Default 250. */
  pollIntervalMs?: number;
  /** Wait after a failed step, in ms (doubles up to 30 s). Default 500. */
  errorBackoffMs?: number;
  logger?: Logger;
}

/**
 * Publishes every saved event at least once, in global position order, by
 * tailing `getAllEvents` from a checkpoint. The checkpoint moves only after
 * the bus accepted the events, so a crash at any point republishes at most
 * the events of one batch.
 */
export class OutboxRelay {
  private readonly name: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly errorBackoffMs: number;
  private readonly logger: Logger;
  private running: Promise<void> | undefined;
  private stopper = new AbortController();
  private published = 0;

  constructor(
    private readonly store: EventStore,
    private readonly bus: Pick<EventBus, 'publish'>,
    private readonly checkpoints: CheckpointStore,
    options: OutboxRelayOptions = {},
  ) {
    this.name = options.name ?? 'outbox';
    this.batchSize = options.batchSize ?? 100;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new ValidationError('batchSize', 'must be an integer ≥ 1');
    }
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.errorBackoffMs = options.errorBackoffMs ?? 500;
    this.logger = options.logger ?? noopLogger;
  }

  /** Events published by this instance so far. */
  get publishedCount(): number {
    return this.published;
  }

  /** Publishes one batch from the checkpoint; returns how many events it published. */
  async runOnce(): Promise<number> {
    const from = (await this.checkpoints.load(this.name)) ?? 0;
    const events = await this.store.getAllEvents(from, this.batchSize);
    let next = from;
    try {
      for (const stored of events) {
        await this.bus.publish(withoutPosition(stored));
        next = stored.position + 1;
        this.published++;
      }
    } finally {
      // Checkpoint what was accepted, even when a publish in the middle failed.
      if (next !== from) await this.checkpoints.save(this.name, next);
    }
    if (events.length > 0) {
      this.logger.debug({ relay: this.name, published: events.length, next }, 'outbox batch published');
    }
    return events.length;
  }

  /** Runs until stop(): publishes batches back to back, polls when caught up, backs off on errors. */
  start(): void {
    if (this.running) return;
    this.stopper = new AbortController();
    const signal = this.stopper.signal;
    this.running = (async () => {
      let backoff = this.errorBackoffMs;
      while (!signal.aborted) {
        try {
          const n = await this.runOnce();
          backoff = this.errorBackoffMs;
          if (n < this.batchSize) await sleep(this.pollIntervalMs, signal);
        } catch (error) {
          this.logger.error({ relay: this.name, error: toError(error).message, retryInMs: backoff }, 'outbox step failed');
          await sleep(backoff, signal);
          backoff = Math.min(backoff * 2, 30_000);
        }
      }
    })();
  }

  /** Stops after the batch in progress; resolves when the relay is idle. */
  async stop(): Promise<void> {
    this.stopper.abort();
    const running = this.running;
    this.running = undefined;
    await running;
  }

  /** Publishes until the log is drained (no more events right now). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n < this.batchSize) return total;
    }
  }
}

function withoutPosition(stored: StoredEvent): DomainEvent {
  const { position: _position, ...event } = stored;
  return event;
}
