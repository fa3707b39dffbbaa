import { randomUUID } from 'node:crypto';
import {
  BusClosedError,
  createRedactor,
  isHeraldError,
  PublishError,
  UnsupportedError,
  type BaseEvent,
  type ConnectionStateChange,
  type DeadLetters,
  type EventBus,
  type EventHandler,
  type HandlerFunction,
  type Logger,
  type Redactor,
  type SubscribeOptions,
  type Subscription,
  type TransportCapabilities,
} from '@herald/core';
import {
  callPublish,
  closeDeadline,
  composePublish,
  DispatchPipeline,
  validateEvents,
  type PublishFn,
} from '@herald/core/transport';
import { RabbitMQAddresses } from './addresses.js';
import { ConnectionManager } from './connection-manager.js';
import { AmqpConnectionError } from './errors.js';
import { SubscriptionReceiver } from './consumer.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { eventMessage } from './message.js';
import { resolveOptions, type AmqpEventBusOptions, type ResolvedOptions } from './options.js';
import { UnsettledPublisher } from './publisher.js';

/**
 * The AMQP 1.0 transport, on rhea. Publishes are sent unsettled and resolve
 * on the broker's `accepted`; subscriptions are receiver links whose credit
 * is their concurrency, and a delivery is accepted only after its handler
 * (with core's retries) settled or its dead letter was accepted. One
 * connection per bus, reconnected with backoff; links are attached again.
 * See the README for the address scheme and capabilities per broker.
 */
export class AmqpEventBus implements EventBus {
  /**
   * RabbitMQ 3.x through AMQP 1.0: subscription queues are the exclusive
   * auto-delete queues the plugin binds for `/exchange/X/key` (a durable,
   * shared, pattern-bound queue cannot be declared over AMQP 1.0 there), so
   * no groups and nothing kept for a subscriber that is not connected. Dead
   * letters are stored in a durable queue but cannot be read back through the
   * bus there (see DeadLetterQueue), so `deadLetters` methods throw UnsupportedError.
   */
  readonly capabilities: TransportCapabilities = Object.freeze({
    persistent: false,
    consumerGroups: false,
    redelivery: false,
    ordered: true,
    deadLetters: false,
  });
  readonly deadLetters: DeadLetters;
  readonly prefix: string;
  /** The container id the bus's connection presents to the broker (operators and tests find it by this). */
  readonly containerId: string;

  private readonly options: ResolvedOptions;
  private readonly pipeline: DispatchPipeline;
  private readonly logger: Logger;
  private readonly redactor: Redactor;
  private readonly addresses: RabbitMQAddresses;
  private readonly manager: ConnectionManager;
  private readonly publisher: UnsettledPublisher;
  private readonly deadLetterPublisher: UnsettledPublisher;
  private readonly deadLetterQueue: DeadLetterQueue;
  private readonly send: PublishFn;
  /** The middleware chain without the validation step, for batches validated up front. */
  private readonly sendValidated: PublishFn;
  private readonly receivers = new Map<string, SubscriptionReceiver>();
  private readonly stopping = new Map<string, Promise<void>>();
  private closing: Promise<void> | undefined;

  constructor(options: AmqpEventBusOptions) {
    this.options = resolveOptions(options);
    this.pipeline = new DispatchPipeline({
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.middleware === undefined ? {} : { middleware: options.middleware }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.codec === undefined ? {} : { codec: options.codec }),
    });
    this.logger = this.pipeline.logger;
    this.prefix = this.options.prefix;
    this.redactor = createRedactor([this.options.endpoint.password]);
    this.addresses = new RabbitMQAddresses(this.options.exchange, this.prefix);
    this.containerId = this.options.containerId ?? `herald:${this.prefix}${randomUUID()}`;
    this.manager = new ConnectionManager({
      endpoint: this.options.endpoint,
      containerId: this.containerId,
      connectTimeoutMs: this.options.connectTimeoutMs,
      closeTimeoutMs: this.options.closeTimeoutMs,
      reconnect: this.options.reconnect,
      logger: this.logger,
      redactor: this.redactor,
    });
    const publisher = (address: string, role: string, durable?: 2) =>
      new UnsettledPublisher({
        manager: this.manager,
        address,
        timeoutMs: this.options.publishTimeoutMs,
        logger: this.logger,
        redactor: this.redactor,
        role,
        ...(durable === undefined ? {} : { durable }),
      });
    this.publisher = publisher(this.addresses.publish, 'herald-publish');
    this.deadLetterPublisher = publisher(this.addresses.deadLetters, 'herald-dead-letters', 2);
    this.deadLetterQueue = new DeadLetterQueue(this.deadLetterPublisher, this.pipeline.codec);
    const unsupported = () =>
      Promise.reject(
        new UnsupportedError(
          'deadLetters',
          `RabbitMQ 3.x cannot list dead letters over AMQP 1.0; read the queue "${this.prefix}dead-letters" with any client (see the @herald/amqp README)`,
        ),
      );
    this.deadLetters = { list: unsupported, replay: unsupported, purge: unsupported };
    this.send = this.pipeline.composePublish((event) => this.transmit(event));
    this.sendValidated = composePublish(options.middleware ?? [], (event) => this.transmit(event));
  }

  /** Opens the connection now; rejects fast (AmqpConnectionError) when the broker cannot be reached. */
  async connect(): Promise<void> {
    if (this.closing) throw new BusClosedError();
    await this.manager.whenOpen(this.options.connectTimeoutMs, true);
  }

  on(_event: 'connection', listener: (change: ConnectionStateChange) => void): () => void {
    return this.manager.state.on(listener);
  }

  publish(event: BaseEvent): Promise<void> {
    return this.closing ? Promise.reject(new BusClosedError()) : callPublish(this.send, event);
  }

  /**
   * Validates every event first (nothing is sent if one is invalid), then
   * sends them all on the link at once and waits for every outcome. Rejects
   * with a PublishError naming how many were not accepted; the others were.
   */
  async publishAll(events: BaseEvent[]): Promise<void> {
    if (this.closing) throw new BusClosedError();
    validateEvents(events, 'events');
    const results = await Promise.allSettled(events.map((e) => callPublish(this.sendValidated, e)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length === 0) return;
    const first = failed[0]!.reason as Error;
    if (failed.length === 1) throw first;
    throw new PublishError(`${failed.length} of ${events.length} events were not accepted; first: ${first.message}`, {
      cause: first,
    });
  }

  async subscribe<T extends BaseEvent = BaseEvent>(
    pattern: string,
    handler: EventHandler<T> | HandlerFunction<T>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    if (this.closing) throw new BusClosedError();
    const concurrency = options.concurrency ?? this.options.concurrency;
    const target = this.pipeline.createTarget(pattern, handler, {
      ...options,
      ...(concurrency === undefined ? {} : { concurrency }),
    });
    if (target.subscription.group !== undefined) {
      throw new UnsupportedError(
        'consumerGroups',
        'RabbitMQ 3.x cannot bind a shared durable queue to a topic pattern over AMQP 1.0, so @herald/amqp has no consumer groups there; use @herald/rabbitmq for competing consumers',
      );
    }
    const receiver = new SubscriptionReceiver(target, this.addresses.subscription(pattern), {
      pipeline: this.pipeline,
      manager: this.manager,
      deadLetter: (record) => this.deadLetterQueue.add(record),
      logger: this.logger,
      redactor: this.redactor,
      closeTimeoutMs: this.options.closeTimeoutMs,
      attachTimeoutMs: this.options.publishTimeoutMs,
    });
    const { subscription } = target;
    this.receivers.set(subscription.id, receiver);
    try {
      const conn = await this.manager.whenOpen(this.options.publishTimeoutMs);
      await receiver.attach(conn);
    } catch (error) {
      this.receivers.delete(subscription.id);
      await receiver.stop();
      throw this.closing ? new BusClosedError() : this.subscribeError(error);
    }
    if (this.closing) {
      this.receivers.delete(subscription.id);
      await receiver.stop();
      throw new BusClosedError();
    }
    return subscription;
  }

  /** Detaches the subscription's link after its running handlers finished. Idempotent: concurrent calls wait for the same stop. */
  async unsubscribe(subscription: Subscription): Promise<void> {
    const id = subscription?.id;
    const stopping = this.stopping.get(id);
    if (stopping) return stopping;
    const receiver = this.receivers.get(id);
    if (!receiver) return;
    this.receivers.delete(id);
    const stopped = receiver.stop().finally(() => this.stopping.delete(id));
    this.stopping.set(id, stopped);
    return stopped;
  }

  /**
   * Stops every subscription (running handlers finish, bounded by
   * `closeTimeoutMs`, then `ctx.signal` aborts), waits for the outcomes of
   * publishes under way, then closes the connection. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ---- internals ------------------------------------------------------------------

  private transmit(event: BaseEvent): Promise<void> {
    const message = eventMessage(event, this.pipeline.codec, this.addresses.routingKey(event.type));
    return this.publisher.publish(message, event.id, event.type);
  }

  /** A failed attach reaches the caller as a HeraldError: the broker's refusal or a lost link becomes an AmqpConnectionError. */
  private subscribeError(error: unknown): Error {
    if (isHeraldError(error)) return error;
    const cause = this.redactor.error(error);
    return new AmqpConnectionError(`amqp: the broker did not attach the subscription: ${cause.message}`, { cause });
  }

  private async shutdown(): Promise<void> {
    const receivers = [...this.receivers.values()];
    this.receivers.clear();
    // One deadline for every receiver (core's close rule), from the moment close was called.
    const until = closeDeadline(this.options.closeTimeoutMs);
    await Promise.all([...receivers.map((r) => r.stop(until)), ...this.stopping.values()]);
    // Dead letters first: a handler that just failed stores its record through this link.
    await this.deadLetterPublisher.close(this.options.publishTimeoutMs);
    await this.publisher.close(this.options.publishTimeoutMs);
    await this.manager.close();
  }
}
