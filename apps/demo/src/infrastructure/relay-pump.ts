import { OutboxRelay, readHeadPosition, type CheckpointStore, type EventBus, type EventStore, type Logger } from '@herald/core';

export interface RelayPumpOptions {
  name?: string;
  batchSize?: number;
  /** Safety-net poll for events written by another process. Default 200 ms. */
  pollIntervalMs?: number;
  logger: Logger;
}

/**
 * Runs core's OutboxRelay — the only path from the event store to the bus. The
 * relay is a store subscription: the store wakes it on every append this
 * process makes, so saved events are published at once, not at the next poll.
 * This class adds what the app asks of it: "is everything stored also published?".
 */
export class RelayPump {
  readonly relay: OutboxRelay;

  constructor(
    private readonly store: EventStore,
    bus: Pick<EventBus, 'publish'>,
    checkpoints: CheckpointStore,
    options: RelayPumpOptions,
  ) {
    this.relay = new OutboxRelay(store, bus, checkpoints, {
      name: options.name ?? 'gamifier-outbox',
      batchSize: options.batchSize ?? 200,
      pollIntervalMs: options.pollIntervalMs ?? 200,
      errorBackoffMs: 100,
      logger: options.logger,
    });
  }

  start(): void {
    this.relay.start();
  }

  async close(): Promise<void> {
    await this.relay.close();
  }

  /** True when every stored event has been accepted by the bus. */
  async caughtUp(): Promise<boolean> {
    const next = this.relay.position;
    return next !== undefined && next > (await readHeadPosition(this.store));
  }

  get publishedCount(): number {
    return this.relay.publishedCount;
  }

  /** Failed relay steps so far (each is retried with backoff). */
  get failureCount(): number {
    return this.relay.failureCount;
  }
}
