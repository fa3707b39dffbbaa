import {
  compilePattern,
  TimeoutError,
  withTimeout,
  type BaseEvent,
  type ConnectionStateChange,
  type DeadLetters,
  type EventBus,
  type EventHandler,
  type HandlerContext,
  type HandlerFunction,
  type SubscribeOptions,
  type Subscription,
  type TransportCapabilities,
} from '@herald/core';
import { normalizeHandler } from '@herald/core/transport';
import { SettleTracker } from './settle-tracker.js';

/** One successful handling seen by a RecordingEventBus. */
export interface HandledEvent<T extends BaseEvent = BaseEvent> {
  event: T;
  /** The pattern of the subscription that handled it. */
  pattern: string;
  subscription: Subscription;
  /** The attempt that succeeded (1 = first try). */
  attempt: number;
}

export interface RecordingEventBusOptions {
  /** Default bound of `waitFor` and `settle`, in milliseconds. Default 5,000. */
  timeoutMs?: number;
}

interface Waiter {
  matches(event: BaseEvent): boolean;
  resolve(event: BaseEvent): void;
}

/**
 * Wraps any EventBus and records what goes through it: `published` events
 * (accepted by the transport), `handled` events (with the handling
 * subscription's pattern), `waitFor` a matching event and `settle()` until
 * every published event has been dealt with by every subscription made
 * through this wrapper. Behaviour is the wrapped bus's own.
 */
export class RecordingEventBus implements EventBus {
  readonly published: BaseEvent[] = [];
  readonly handled: HandledEvent[] = [];
  private readonly tracker = new SettleTracker();
  private readonly keys = new Map<string, string>();
  private readonly timeoutMs: number;
  private waiters: Waiter[] = [];

  constructor(
    readonly inner: EventBus,
    options: RecordingEventBusOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  get capabilities(): TransportCapabilities {
    return this.inner.capabilities;
  }

  get deadLetters(): DeadLetters {
    return this.inner.deadLetters;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  on(event: 'connection', listener: (change: ConnectionStateChange) => void): () => void {
    return this.inner.on(event, listener);
  }

  async publish(event: BaseEvent): Promise<void> {
    const keys = this.tracker.expect(event);
    try {
      await this.inner.publish(event);
    } catch (error) {
      this.tracker.retract(event.id, keys);
      throw error;
    }
    this.recordPublished(event);
  }

  async publishAll(events: BaseEvent[]): Promise<void> {
    const expected = Array.isArray(events) ? events.map((e) => ({ event: e, keys: this.tracker.expect(e) })) : [];
    try {
      await this.inner.publishAll(events);
    } catch (error) {
      for (const { event, keys } of expected) this.tracker.retract(event.id, keys);
      throw error;
    }
    for (const { event } of expected) this.recordPublished(event);
  }

  async subscribe<T extends BaseEvent = BaseEvent>(
    pattern: string,
    handler: EventHandler<T> | HandlerFunction<T>,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    const h = normalizeHandler(handler);
    // Known once subscribe resolves; events settled earlier were not expected by this wrapper anyway.
    let key: string | undefined;
    const settle = (event: BaseEvent) => {
      if (key !== undefined) this.tracker.settle(key, event.id);
    };
    const wrapped: EventHandler<T> = {
      handle: async (event: T, ctx: HandlerContext) => {
        await h.handle(event, ctx);
        this.recordHandled({ event, pattern, subscription: ctx.subscription, attempt: ctx.attempt });
        settle(event);
      },
      errorHandler: async (error: Error, event: T) => {
        try {
          if (h.errorHandler) await h.errorHandler(error, event);
        } finally {
          settle(event);
        }
      },
    };
    if (h.filter) {
      const filter = h.filter.bind(h);
      wrapped.filter = (event: T) => {
        const accepted = filter(event);
        if (!accepted) settle(event);
        return accepted;
      };
    }
    if (h.retryStrategy) wrapped.retryStrategy = h.retryStrategy;

    const subscription = await this.inner.subscribe<T>(pattern, wrapped, options);
    key = SettleTracker.keyFor(subscription);
    this.keys.set(subscription.id, key);
    this.tracker.addMember(key, pattern, subscription.group);
    return subscription;
  }

  async unsubscribe(subscription: Subscription): Promise<void> {
    await this.inner.unsubscribe(subscription);
    const key = this.keys.get(subscription?.id);
    if (key === undefined) return;
    this.keys.delete(subscription.id);
    this.tracker.removeMember(key);
  }

  async close(): Promise<void> {
    await this.inner.close();
    this.keys.clear();
    this.tracker.clear();
  }

  /**
   * Resolves with the first published or handled event whose type matches
   * `pattern` (same syntax as subscriptions) and `predicate`, whether it was
   * recorded before the call or arrives later. Rejects with a TimeoutError
   * naming the pattern after `timeoutMs`.
   */
  async waitFor<T extends BaseEvent = BaseEvent>(
    pattern: string,
    predicate?: (event: T) => boolean,
    timeoutMs: number = this.timeoutMs,
  ): Promise<T> {
    const { matches: typeMatches } = compilePattern(pattern);
    const matches = (event: BaseEvent) => typeMatches(event.type) && (predicate === undefined || predicate(event as T));
    const seen = this.published.find(matches) ?? this.handled.find((h) => matches(h.event))?.event;
    if (seen) return seen as T;
    let waiter: Waiter | undefined;
    const found = new Promise<BaseEvent>((resolve) => {
      waiter = { matches, resolve };
      this.waiters.push(waiter);
    });
    try {
      return (await withTimeout(found, timeoutMs, () => this.waitForTimeout(pattern, predicate !== undefined, timeoutMs))) as T;
    } finally {
      this.waiters = this.waiters.filter((w) => w !== waiter);
    }
  }

  /**
   * Resolves once every event published through this wrapper has been
   * handled, filtered out or given up on (errorHandler / dead letter) by every
   * subscription made through it that matched when it was published (one
   * member per group). Rejects with a TimeoutError listing what is unsettled.
   */
  async settle(timeoutMs: number = this.timeoutMs): Promise<void> {
    if (this.tracker.pending === 0) return;
    await withTimeout(
      this.tracker.whenSettled(),
      timeoutMs,
      () => new TimeoutError(`settle() timed out after ${timeoutMs} ms; still unsettled: ${this.tracker.describePending()}`),
    );
  }

  /** Forgets the recorded `published` and `handled` events (subscriptions and pending settlements stay). */
  clear(): void {
    this.published.length = 0;
    this.handled.length = 0;
  }

  private recordPublished(event: BaseEvent): void {
    this.published.push(event);
    this.wake(event);
  }

  private recordHandled(record: HandledEvent): void {
    this.handled.push(record);
    this.wake(record.event);
  }

  private wake(event: BaseEvent): void {
    if (this.waiters.length === 0) return;
    for (const waiter of [...this.waiters]) {
      let hit = false;
      try {
        hit = waiter.matches(event);
      } catch {
        hit = false;
      }
      if (hit) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(event);
      }
    }
  }

  private waitForTimeout(pattern: string, withPredicate: boolean, timeoutMs: number): TimeoutError {
    const counts = new Map<string, number>();
    for (const e of this.published) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    const seen = [...counts].map(([type, n]) => (n > 1 ? `${type} ×${n}` : type));
    const shown = seen.length === 0 ? 'nothing' : seen.slice(0, 10).join(', ') + (seen.length > 10 ? ', …' : '');
    return new TimeoutError(
      `waitFor("${pattern}") timed out after ${timeoutMs} ms: no published or handled event matched` +
        `${withPredicate ? ' the pattern and predicate' : ''} (published so far: ${shown})`,
    );
  }
}
