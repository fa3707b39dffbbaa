import { BusClosedError } from '../errors.js';
import type { BaseEvent } from '../events/types.js';
import { validateEvents } from '../events/validate-events.js';
import type { Logger } from '../logger.js';
import { positiveInt, timerMs } from '../options/positive-int.js';
import { RouteTable } from '../pattern/route-table.js';
import { ConnectionStateEmitter } from './connection-state.js';
import { createDeadLetters, InMemoryDeadLetterStore } from './dead-letters.js';
import { DeliveryQueues, type DeliveryQueue } from './delivery-queues.js';
import { DispatchPipeline, type DispatchPipelineOptions } from './dispatch-pipeline.js';
import { callPublish, type PublishFn } from './middleware.js';
import type {
  ConnectionStateChange,
  DeadLetterRecord,
  DeadLetters,
  EventBus,
  EventHandler,
  HandlerFunction,
  SubscribeOptions,
  Subscription,
  TransportCapabilities,
} from './types.js';

/**
 * `codec` (default `jsonCodec`) is what `wireFormat` encodes and decodes with, and its
 * `maxBytes` is the size limit the bus enforces, as a networked transport does.
 */
export interface InMemoryEventBusOptions extends DispatchPipelineOptions {
  /** Events buffered per subscription before `publish` waits for the handler to catch up. Default 10,000. */
  highWaterMark?: number;
  /** How long close/unsubscribe wait for handlers before aborting `ctx.signal`. Default 10 s. */
  closeTimeoutMs?: number;
  /** Dead letters kept in memory (oldest dropped beyond). Default 10,000. */
  maxDeadLetters?: number;
  /**
   * Deliver what a networked transport delivers: every published event is encoded with the
   * codec and each subscription gets its own decoded copy, so a handler sees exactly the
   * shape it will see on Redis or RabbitMQ (a `Date` in `data` arrives as its ISO string,
   * a class instance as its own fields) and cannot change what other subscribers see.
   * Default false: handlers get the published object itself, the fastest path.
   * `createTestKit` (@herald/testing) turns it on.
   */
  wireFormat?: boolean;
}

const RESOLVED = Promise.resolve();

/**
 * The in-process transport: the full bus contract with no server. Each
 * subscription (or group) has a FIFO buffer drained by up to `concurrency`
 * handlers; `publish` resolves once the event is buffered and waits only when
 * a buffer is over its high-water mark.
 */
export class InMemoryEventBus implements EventBus {
  readonly capabilities: TransportCapabilities = Object.freeze({
    persistent: false,
    consumerGroups: true,
    redelivery: false,
    ordered: true,
    deadLetters: true,
  });
  readonly deadLetters: DeadLetters;

  private readonly pipeline: DispatchPipeline;
  private readonly logger: Logger;
  private readonly send: PublishFn;
  private readonly wireFormat: boolean;
  private readonly routes = new RouteTable<DeliveryQueue>();
  private readonly deliveries: DeliveryQueues;
  private readonly deadLetterStore: InMemoryDeadLetterStore;
  private readonly maxDeadLetters: number;
  private readonly connection: ConnectionStateEmitter;
  private closing: Promise<void> | undefined;
  /** The queue each dead letter came from, so a replay goes back to the subscription that failed. */
  private readonly deadLetterOrigin = new WeakMap<DeadLetterRecord, DeliveryQueue>();

  constructor(options: InMemoryEventBusOptions = {}) {
    this.pipeline = new DispatchPipeline(options);
    this.logger = this.pipeline.logger;
    const highWaterMark = positiveInt(options.highWaterMark ?? 10_000, 'highWaterMark');
    const closeTimeoutMs = timerMs(options.closeTimeoutMs ?? 10_000, 'closeTimeoutMs');
    this.maxDeadLetters = positiveInt(options.maxDeadLetters ?? 10_000, 'maxDeadLetters');
    this.deadLetterStore = new InMemoryDeadLetterStore(
      this.maxDeadLetters,
      () => this.countDroppedDeadLetter(),
    );
    this.deliveries = new DeliveryQueues({
      pipeline: this.pipeline,
      deadLetter: (record, queue) => {
        this.deadLetterOrigin.set(record, queue);
        return this.deadLetterStore.add(record);
      },
      highWaterMark,
      closeTimeoutMs,
    });
    this.deadLetters = createDeadLetters(this.deadLetterStore, (record) => this.redeliver(record));
    this.wireFormat = options.wireFormat === true;
    // In wire format the codec checks the size as it encodes; otherwise the pipeline does, without encoding.
    // In-process there is no decode step: events are upcast on their way to the queues (UpcastError rejects publish).
    this.send = this.pipeline.composePublish((event) => this.route(this.pipeline.upcast(event)), { checkSize: !this.wireFormat });
    this.connection = new ConnectionStateEmitter(this.logger, 'in-memory', 'connected');
  }

  connect(): Promise<void> {
    return this.closing ? Promise.reject(new BusClosedError()) : RESOLVED;
  }

  on(_event: 'connection', listener: (change: ConnectionStateChange) => void): () => void {
    return this.connection.on(listener);
  }

  publish(event: BaseEvent): Promise<void> {
    if (this.closing) return Promise.reject(new BusClosedError());
    const sent = callPublish(this.send, event);
    if (sent === RESOLVED) return sent;
    return this.deliveries.track(sent);
  }

  async publishAll(events: BaseEvent[]): Promise<void> {
    // The whole batch is checked, the size limit included, before any of it is delivered.
    validateEvents(events, 'events', (event) => this.pipeline.checkSize(event));
    for (const event of events) await this.publish(event);
  }

  async subscribe<T extends BaseEvent = BaseEvent>(
    pattern: string,
    handler: EventHandler<T> | HandlerFunction<T>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    if (this.closing) throw new BusClosedError();
    const target = this.pipeline.createTarget(pattern, handler, options);
    const { queue, created } = this.deliveries.add(target);
    if (created) this.routes.add(pattern, queue);
    return target.subscription;
  }

  async unsubscribe(subscription: Subscription): Promise<void> {
    const removed = this.deliveries.remove(subscription);
    // Already removed: wait for that removal's barrier if its handlers are still running.
    if (!removed) return this.deliveries.whenStopped(subscription);
    if (removed.queueRemoved) this.routes.remove(removed.queue.pattern, removed.queue);
    await removed.stopped;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * Buffered events that `close()` could not dead-letter before closeTimeoutMs
   * (lost; also reported in one error log line). 0 until close, and when none.
   */
  get deadLettersLostOnClose(): number {
    return this.deliveries.lostOnClose;
  }

  // ---- delivery -------------------------------------------------------------

  private route(event: BaseEvent): Promise<void> {
    const queues = this.routes.match(event.type);
    // Encoded even when nobody listens, as on the wire: an event too large fails either way.
    const bytes = this.wireFormat ? this.pipeline.codec.encode(event) : undefined;
    let waits: Promise<void>[] | undefined;
    for (let i = 0; i < queues.length; i++) {
      const queue = queues[i]!;
      const delivered = bytes === undefined ? event : this.pipeline.codec.decode(bytes);
      if (this.deliveries.push(queue, delivered)) {
        waits ??= [];
        waits.push(this.deliveries.waitForSpace(queue));
      }
    }
    if (waits === undefined) return RESOLVED;
    return Promise.all(waits).then(() => undefined);
  }

  private async redeliver(record: DeadLetterRecord): Promise<void> {
    if (this.closing) throw new BusClosedError();
    const event = record.event!;
    // Back to the subscription that failed while it is open; a group by name, even when the
    // member that failed has gone. Never to another subscription that merely shares the pattern.
    const origin = this.deadLetterOrigin.get(record);
    let queue = origin !== undefined && this.deliveries.has(origin) ? origin : undefined;
    if (!queue && record.group !== undefined) queue = this.deliveries.find(record.pattern, record.group);
    if (!queue) {
      // The subscription that failed is gone: publish again so current subscribers see it.
      await this.publish(event);
      return;
    }
    this.deliveries.push(queue, event);
  }

  /** Dead letters dropped by the cap in this turn of the event loop: one log line for them (a close with a backlog drops thousands). */
  private droppedDeadLetters = 0;

  private countDroppedDeadLetter(): void {
    if (this.droppedDeadLetters++ > 0) return;
    setImmediate(() => {
      const dropped = this.droppedDeadLetters;
      this.droppedDeadLetters = 0;
      try {
        this.logger.error({ dropped, maxDeadLetters: this.maxDeadLetters }, 'dead-letter store full; oldest records dropped');
      } catch {
        // A throwing logger must not become an uncaught exception out of a timer.
      }
    });
  }

  // ---- teardown ---------------------------------------------------------------

  private async shutdown(): Promise<void> {
    // Drains within the close timeout, stops every handler, dead-letters what was never attempted.
    const queues = await this.deliveries.close();
    for (const queue of queues) this.routes.remove(queue.pattern, queue);
    this.connection.set('closed');
  }
}
