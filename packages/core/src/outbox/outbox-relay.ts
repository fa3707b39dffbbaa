import type { EventBus } from '../bus/types.js';
import type { DomainEvent } from '../events/types.js';
import { noopLogger, type Logger } from '../logger.js';
import type { EventStore, StoredEvent } from '../store/types.js';
import { StoreSubscription } from '../subscription/store-subscription.js';
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
 * Publishes every saved event at least once, in global position order: a
 * StoreSubscription (the one tailing loop) whose handler publishes to the bus.
 * The checkpoint moves only after the bus accepted the events, so a crash at
 * any point republishes at most the events of one batch.
 */
export class OutboxRelay {
  private readonly subscription: StoreSubscription;

  constructor(
    store: EventStore,
    bus: Pick<EventBus, 'publish'>,
    checkpoints: CheckpointStore,
    options: OutboxRelayOptions = {},
  ) {
    this.subscription = new StoreSubscription(store, (stored) => bus.publish(withoutPosition(stored)), {
      name: options.name ?? 'outbox',
      checkpoints,
      from: 'start',
      batchSize: options.batchSize ?? 100,
      pollIntervalMs: options.pollIntervalMs ?? 250,
      errorBackoffMs: options.errorBackoffMs ?? 500,
      logger: options.logger ?? noopLogger,
    });
  }

  /** Events published by this instance so far. */
  get publishedCount(): number {
    return this.subscription.handledCount;
  }

  /** Failed steps of the running loop so far (each is retried with backoff). */
  get failureCount(): number {
    return this.subscription.failureCount;
  }

  /**
   * The next position to publish, once known: every event before it has been
   * accepted by the bus. Compare with the store's head to tell "caught up".
   */
  get position(): number | undefined {
    return this.subscription.position;
  }

  /** Publishes one batch from the checkpoint; returns how many events it published. */
  runOnce(): Promise<number> {
    return this.subscription.runOnce();
  }

  /** Runs until close(): publishes batches back to back, waits when caught up, backs off on errors. */
  start(): void {
    this.subscription.start();
  }

  /**
   * Stops after the batch in progress; resolves when the relay is idle. The store,
   * bus and checkpoint store stay open: they are the caller's to close.
   */
  close(): Promise<void> {
    return this.subscription.close();
  }

  /** @deprecated Use `close()`, the name every other Herald component stops with. Same behaviour. */
  stop(): Promise<void> {
    return this.close();
  }

  /** Publishes until the log is drained (no more events right now). */
  drain(): Promise<number> {
    return this.subscription.drain();
  }
}

function withoutPosition(stored: StoredEvent): DomainEvent {
  const { position: _position, ...event } = stored;
  return event;
}
