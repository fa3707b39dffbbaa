import { OutboxRelay, sleep, toError, type CheckpointStore, type EventBus, type EventStore, type Logger } from '@herald/core';

export interface RelayPumpOptions {
  name?: string;
  batchSize?: number;
  /** Safety-net poll when nothing nudged the pump (events written by another process). Default 200 ms. */
  pollIntervalMs?: number;
  logger: Logger;
}

/**
 * Runs core's OutboxRelay — the only path from the event store to the bus —
 * with low latency: a save nudges the pump, which publishes right away instead
 * of waiting for the next poll. One loop, so batches never overlap.
 */
export class RelayPump {
  readonly relay: OutboxRelay;
  private readonly name: string;
  private readonly pollIntervalMs: number;
  private readonly logger: Logger;
  private readonly batchSize: number;
  /** Resolves the pump's current wait, when it is waiting. */
  private wake: (() => void) | undefined;
  private nudged = false;
  private stopped = new AbortController();
  private loop: Promise<void> | undefined;
  private busy = false;
  private failures = 0;

  constructor(
    private readonly store: EventStore,
    bus: Pick<EventBus, 'publish'>,
    private readonly checkpoints: CheckpointStore,
    options: RelayPumpOptions,
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.logger = options.logger;
    this.name = options.name ?? 'gamifier-outbox';
    this.relay = new OutboxRelay(store, bus, checkpoints, {
      name: this.name,
      batchSize: this.batchSize,
      logger: options.logger,
    });
  }

  start(): void {
    if (this.loop) return;
    this.stopped = new AbortController();
    this.loop = this.run();
  }

  /** Asks the pump to publish now. Cheap; safe to call after every save. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    this.wake?.();
    const loop = this.loop;
    this.loop = undefined;
    await loop;
  }

  /** True when every stored event has been handed to the bus and no batch is running. */
  async caughtUp(): Promise<boolean> {
    if (this.busy || this.nudged) return false;
    const next = (await this.checkpoints.load(this.name)) ?? 0;
    const pending = await this.store.getAllEvents(next, 1);
    return pending.length === 0 && !this.busy;
  }

  get publishedCount(): number {
    return this.relay.publishedCount;
  }

  /** Failed relay steps so far (each is retried with backoff). */
  get failureCount(): number {
    return this.failures;
  }

  private async run(): Promise<void> {
    const stopped = this.stopped.signal;
    let backoff = 100;
    while (!stopped.aborted) {
      this.nudged = false;
      this.busy = true;
      let published = 0;
      try {
        published = await this.relay.runOnce();
        backoff = 100;
      } catch (error) {
        this.failures++;
        this.logger.error({ relay: this.name, error: toError(error).message, retryInMs: backoff }, 'outbox relay step failed');
        this.busy = false;
        await sleep(backoff, stopped);
        backoff = Math.min(backoff * 2, 5_000);
        continue;
      } finally {
        this.busy = false;
      }
      if (published >= this.batchSize || this.nudged || stopped.aborted) continue;
      await this.waitForNudge();
    }
  }

  /** Waits for a nudge, stop() or the poll interval, whichever comes first. */
  private waitForNudge(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.pollIntervalMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}
