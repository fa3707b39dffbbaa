import { ValidationError, toError } from '../errors.js';
import { noopLogger, type Logger } from '../logger.js';
import { positiveInt } from '../options/positive-int.js';
import { exponentialBackoff } from '../retry/backoff.js';
import type { CheckpointStore } from '../outbox/checkpoint-store.js';
import type { EventStore, StoredEvent } from '../store/types.js';
import { readHeadPosition } from './head-position.js';

/** Where the doubling of `errorBackoffMs` stops. */
const MAX_ERROR_BACKOFF_MS = 30_000;

/** Where a subscription without a stored checkpoint starts. A number is the first position read. */
export type SubscriptionStart = 'start' | 'end' | number;

export type StoreEventHandler = (event: StoredEvent) => void | Promise<void>;

export interface StoreSubscriptionOptions {
  /** Where to start when no checkpoint is stored under `name`. Default 'start'. */
  from?: SubscriptionStart;
  /** Where the next position to read is kept; without it the subscription starts from `from` every time. */
  checkpoints?: CheckpointStore;
  /** Checkpoint name; run one subscription per name. Default 'subscription'. */
  name?: string;
  /** Events read (and handled) per step; bounds the replay after a crash. Default 100. */
  batchSize?: number;
  /** Events for which it returns false are skipped (the checkpoint still moves past them). */
  filter?: (event: StoredEvent) => boolean;
  /** Wait when caught up, in ms, unless the store wakes the subscription first. Default 250. */
  pollIntervalMs?: number;
  /** Wait after a failed step, in ms (doubles up to 30 s). Default 500. */
  errorBackoffMs?: number;
  logger?: Logger;
}

/**
 * A catch-up subscription to a store's global log: reads from its checkpoint,
 * hands each event to the handler in position order, then keeps following the
 * log. The checkpoint (the next position to read) is saved only after the
 * handler settled for the events before it, so a crash replays at most the
 * events of one batch: delivery is at-least-once, in order.
 *
 * This is the one tailing loop of Herald: OutboxRelay and projections run on it.
 */
export class StoreSubscription {
  readonly name: string;
  readonly batchSize: number;
  private readonly from: SubscriptionStart;
  private readonly checkpoints: CheckpointStore | undefined;
  private readonly filter: ((event: StoredEvent) => boolean) | undefined;
  private readonly pollIntervalMs: number;
  private readonly errorBackoffMs: number;
  private readonly logger: Logger;
  /** Next position to read once known; undefined until the first step resolved it. */
  private next: number | undefined;
  private handled = 0;
  private failures = 0;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** Ends the current idle wait early (stop, or an append on the store). */
  private wake: (() => void) | undefined;
  /** An append arrived while a batch was in progress: skip the next idle wait. */
  private woken = false;
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly handler: StoreEventHandler,
    options: StoreSubscriptionOptions = {},
  ) {
    if (typeof handler !== 'function') throw new ValidationError('handler', 'must be a function');
    this.name = options.name ?? 'subscription';
    if (typeof this.name !== 'string' || this.name.length === 0) throw new ValidationError('name', 'must be a non-empty string');
    this.batchSize = positiveInt(options.batchSize ?? 100, 'batchSize');
    this.from = options.from ?? 'start';
    if (this.from !== 'start' && this.from !== 'end' && !(Number.isInteger(this.from) && this.from >= 0)) {
      throw new ValidationError('from', "must be 'start', 'end' or an integer position ≥ 0");
    }
    this.checkpoints = options.checkpoints;
    this.filter = options.filter;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.errorBackoffMs = options.errorBackoffMs ?? 500;
    this.logger = options.logger ?? noopLogger;
  }

  /** Events handed to the handler (and settled) by this instance. */
  get handledCount(): number {
    return this.handled;
  }

  /** Steps of the running loop that failed (each is retried after a backoff). */
  get failureCount(): number {
    return this.failures;
  }

  /** The next position to read, once the first step has resolved it. */
  get position(): number | undefined {
    return this.next;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /**
   * Reads and handles one batch; returns how many events it read (filtered ones
   * included). A throwing handler ends the batch: the events before it are
   * checkpointed, the error is rethrown, and the next step starts at the failed event.
   */
  async runOnce(): Promise<number> {
    const from = await this.resolveNext();
    const events = await this.store.getAllEvents(from, this.batchSize);
    let next = from;
    try {
      for (let i = 0; i < events.length; i++) {
        const event = events[i]!;
        if (this.filter === undefined || this.filter(event)) {
          const result = this.handler(event);
          // Await only real promises: a synchronous handler costs no microtask per event.
          if (result !== undefined) await result;
          this.handled++;
        }
        next = event.position + 1;
      }
    } finally {
      if (next !== from) {
        this.next = next;
        // Checkpoint what was handled, even when a handler in the middle failed.
        await this.checkpoints?.save(this.name, next);
      }
    }
    return events.length;
  }

  /** Handles batches until the log is caught up; returns how many events were read. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n < this.batchSize) return total;
    }
  }

  /** Follows the log until close(): batches back to back, an idle wait when caught up, backoff on errors. */
  start(): this {
    if (this.running) return this;
    this.stopped = false;
    this.unwatch = this.store.onAppend?.(() => this.onAppend());
    const run = this.loop();
    this.running = run;
    // Cleared only when the loop has ended, so every close() made meanwhile waits for the same loop.
    const ended = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(ended, ended);
    return this;
  }

  /** @deprecated Use `close()`, the name every other Herald component stops with. Same behaviour. */
  stop(): Promise<void> {
    return this.close();
  }

  /** Stops after the batch in progress; resolves when the loop has ended. The store and checkpoints stay open. */
  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.unwatch?.();
    this.unwatch = undefined;
    await this.running;
  }

  private async loop(): Promise<void> {
    const curve = { initialMs: this.errorBackoffMs, maxMs: MAX_ERROR_BACKOFF_MS };
    let failuresInARow = 0;
    while (!this.stopped) {
      try {
        const n = await this.runOnce();
        failuresInARow = 0;
        if (n < this.batchSize) await this.idle(this.pollIntervalMs);
      } catch (error) {
        this.failures++;
        const backoff = exponentialBackoff(curve, ++failuresInARow);
        this.logger.error(
          { subscription: this.name, error: toError(error).message, retryInMs: backoff },
          'store subscription step failed',
        );
        await this.idle(backoff);
      }
    }
  }

  private onAppend(): void {
    if (this.wake !== undefined) this.wake();
    else this.woken = true;
  }

  /** Waits `ms`, or less when stopped or woken by an append. */
  private idle(ms: number): Promise<void> {
    if (this.stopped || this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      // Whichever ends the wait (timer, append, stop) clears `wake`, so an append during the
      // next batch sets `woken` instead of calling a finished wait.
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async resolveNext(): Promise<number> {
    if (this.next !== undefined) return this.next;
    const saved = await this.checkpoints?.load(this.name);
    if (saved !== undefined) {
      this.next = saved;
    } else if (this.from === 'start') {
      this.next = 1;
    } else if (this.from === 'end') {
      this.next = (await readHeadPosition(this.store)) + 1;
    } else {
      this.next = Math.max(this.from, 1);
    }
    return this.next;
  }
}

/** Starts a catch-up subscription (see StoreSubscription); `close()` it when done. */
export function subscribeToStore(
  store: EventStore,
  handler: StoreEventHandler,
  options: StoreSubscriptionOptions = {},
): StoreSubscription {
  return new StoreSubscription(store, handler, options).start();
}
