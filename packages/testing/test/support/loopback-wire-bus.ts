import {
  BusClosedError,
  UnsupportedError,
  type BaseEvent,
  type ConnectionStateChange,
  type DeadLetterRecord,
  type DeadLetters,
  type EventBus,
  type EventHandler,
  type HandlerFunction,
  type SubscribeOptions,
  type Subscription,
  type TransportCapabilities,
} from '@herald/core';
import {
  callPublish,
  ConnectionStateEmitter,
  createDeadLetterRecord,
  createDeadLetters,
  Deque,
  DispatchPipeline,
  InMemoryDeadLetterStore,
  validateEvents,
  type DispatchTarget,
  type PublishFn,
} from '@herald/core/transport';

interface WireSubscription {
  readonly target: DispatchTarget;
  readonly frames: Deque<Uint8Array | string>;
  readonly stopRetries: AbortController;
  readonly abort: AbortController;
  inFlight: number;
  closed: boolean;
  onIdle: (() => void) | undefined;
}

/**
 * A test-only transport whose "wire" is bytes: every event is encoded with
 * the codec, crosses an asynchronous in-process hop and is decoded per
 * subscription by the DispatchPipeline, as a networked transport does. It has
 * no consumer groups. It exists so the conformance suite's malformed-message
 * cases (`injectRaw`) and the no-consumer-groups case run in this package.
 */
export class LoopbackWireBus implements EventBus {
  readonly capabilities: TransportCapabilities = Object.freeze({
    persistent: false,
    consumerGroups: false,
    redelivery: false,
    ordered: true,
    deadLetters: true,
  });
  readonly deadLetters: DeadLetters;
  private readonly pipeline = new DispatchPipeline();
  private readonly store = new InMemoryDeadLetterStore();
  private readonly subscriptions = new Map<string, WireSubscription>();
  /** Barriers of unsubscribes under way, so a repeated unsubscribe waits too. */
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly connection = new ConnectionStateEmitter(this.pipeline.logger, 'loopback', 'connected');
  private readonly send: PublishFn;
  private inTransit = 0;
  private idleWaiters: Array<() => void> = [];
  private closing: Promise<void> | undefined;

  constructor() {
    this.send = this.pipeline.composePublish(async (event) => this.transmit(event.type, this.pipeline.codec.encode(event)));
    this.deadLetters = createDeadLetters(this.store, (record) => this.redeliver(record));
  }

  /** Puts raw bytes on the wire for the subscribers of `type`. */
  async inject(type: string, raw: Uint8Array | string): Promise<void> {
    this.transmit(type, raw);
  }

  connect(): Promise<void> {
    return this.closing ? Promise.reject(new BusClosedError()) : Promise.resolve();
  }

  on(_event: 'connection', listener: (change: ConnectionStateChange) => void): () => void {
    return this.connection.on(listener);
  }

  publish(event: BaseEvent): Promise<void> {
    return this.closing ? Promise.reject(new BusClosedError()) : callPublish(this.send, event);
  }

  async publishAll(events: BaseEvent[]): Promise<void> {
    if (this.closing) throw new BusClosedError();
    // Validation (and encoding) of the whole batch before anything is sent.
    const encoded: Buffer[] = [];
    validateEvents(events, 'events', (e, i) => {
      encoded[i] = this.pipeline.codec.encode(e);
    });
    for (let i = 0; i < events.length; i++) this.transmit(events[i]!.type, encoded[i]!);
  }

  async subscribe<T extends BaseEvent = BaseEvent>(
    pattern: string,
    handler: EventHandler<T> | HandlerFunction<T>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    if (this.closing) throw new BusClosedError();
    if (options.group !== undefined) {
      throw new UnsupportedError('consumerGroups', 'the loopback wire bus has no consumer groups');
    }
    const target = this.pipeline.createTarget(pattern, handler, options);
    this.subscriptions.set(target.subscription.id, {
      target,
      frames: new Deque(),
      stopRetries: new AbortController(),
      abort: new AbortController(),
      inFlight: 0,
      closed: false,
      onIdle: undefined,
    });
    return target.subscription;
  }

  async unsubscribe(subscription: Subscription): Promise<void> {
    const sub = this.subscriptions.get(subscription?.id);
    if (!sub) return this.stopping.get(subscription?.id);
    this.subscriptions.delete(subscription.id);
    sub.closed = true;
    sub.frames.drain();
    const stopped = this.stop(sub);
    this.stopping.set(subscription.id, stopped);
    await stopped;
    this.stopping.delete(subscription.id);
    this.checkIdle();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.whenIdle();
      const subs = [...this.subscriptions.values()];
      this.subscriptions.clear();
      for (const sub of subs) sub.closed = true;
      await Promise.all(subs.map((sub) => this.stop(sub)));
      this.connection.set('closed');
    })();
    return this.closing;
  }

  // ---- the wire -------------------------------------------------------------

  private transmit(type: string, frame: Uint8Array | string): void {
    this.inTransit++;
    setImmediate(() => {
      this.inTransit--;
      for (const sub of this.subscriptions.values()) {
        if (sub.closed || !sub.target.matches(type)) continue;
        sub.frames.push(frame);
        this.pump(sub);
      }
      this.checkIdle();
    });
  }

  private pump(sub: WireSubscription): void {
    while (!sub.closed && sub.frames.length > 0 && sub.inFlight < sub.target.subscription.concurrency) {
      const frame = sub.frames.shift()!;
      sub.inFlight++;
      void this.receive(sub, frame);
    }
  }

  private async receive(sub: WireSubscription, frame: Uint8Array | string): Promise<void> {
    const { pattern } = sub.target.subscription;
    try {
      const decoded = this.pipeline.decode(frame, { pattern });
      if (decoded.deadLetter) {
        await this.store.add(decoded.deadLetter);
        return;
      }
      const outcome = await this.pipeline.deliver(sub.target, decoded.event, sub.abort.signal, sub.stopRetries.signal);
      if (outcome.status === 'dead_letter') await this.store.add(outcome.record);
      else if (outcome.status === 'interrupted') {
        await this.store.add(
          createDeadLetterRecord({ event: decoded.event, error: outcome.error, attempts: outcome.attempt - 1, pattern }),
        );
      }
    } finally {
      sub.inFlight--;
      if (sub.inFlight === 0) sub.onIdle?.();
      this.pump(sub);
      this.checkIdle();
    }
  }

  private async redeliver(record: DeadLetterRecord): Promise<void> {
    if (this.closing) throw new BusClosedError();
    const event = record.event!;
    const sub = [...this.subscriptions.values()].find((s) => s.target.subscription.pattern === record.pattern);
    if (!sub) return this.publish(event);
    sub.frames.push(this.pipeline.codec.encode(event));
    this.pump(sub);
  }

  // ---- teardown ---------------------------------------------------------------

  private async stop(sub: WireSubscription): Promise<void> {
    sub.stopRetries.abort();
    if (sub.inFlight === 0) return;
    await new Promise<void>((resolve) => {
      sub.onIdle = resolve;
    });
  }

  private busy(): boolean {
    if (this.inTransit > 0) return true;
    for (const sub of this.subscriptions.values()) if (sub.inFlight > 0 || sub.frames.length > 0) return true;
    return false;
  }

  private whenIdle(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || this.busy()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
