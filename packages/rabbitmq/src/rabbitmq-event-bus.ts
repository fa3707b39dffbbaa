import {
  BusClosedError,
  createRedactor,
  PublishError,
  ValidationError,
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
import { AdminChannels } from './admin-channel.js';
import { ConfirmPublisher } from './confirm-publisher.js';
import { ConnectionManager } from './connection-manager.js';
import { BusConnectionState } from './connection-state.js';
import { SubscriptionConsumer, type ConsumerCancelled } from './consumer.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { eventProperties, MAX_SHORT_STRING } from './message.js';
import { NodeList } from './node-list.js';
import { resolveOptions, type RabbitMQEventBusOptions, type ResolvedOptions } from './options.js';
import { RetryRouter } from './retry-router.js';
import { Topology } from './topology.js';

/**
 * The RabbitMQ transport: at-least-once delivery with publisher confirms,
 * persistent messages, durable group queues, manual acks, broker-side delayed
 * retries and a dead-letter queue. See the package README for the topology
 * and what survives what.
 */
export class RabbitMQEventBus implements EventBus {
  readonly capabilities: TransportCapabilities = Object.freeze({
    persistent: true,
    consumerGroups: true,
    redelivery: true,
    ordered: true,
    deadLetters: true,
  });
  readonly deadLetters: DeadLetters;
  /** The durable topic exchange events are published to. */
  readonly exchange: string;
  readonly prefix: string;

  private readonly options: ResolvedOptions;
  private readonly pipeline: DispatchPipeline;
  private readonly logger: Logger;
  private readonly redactor: Redactor;
  private readonly state: BusConnectionState;
  private readonly publishConnection: ConnectionManager;
  private readonly consumeConnection: ConnectionManager;
  private readonly topology: Topology;
  private readonly publisher: ConfirmPublisher;
  private readonly deadLetterQueue: DeadLetterQueue;
  private readonly retryRouter: RetryRouter;
  private readonly send: PublishFn;
  /** The middleware chain without the validation step, for batches validated up front. */
  private readonly sendValidated: PublishFn;
  private readonly consumers = new Map<string, SubscriptionConsumer>();
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly groupPatterns = new Map<string, { pattern: string; members: number }>();
  private readonly cancelListeners = new Set<(info: ConsumerCancelled) => void>();
  private closing: Promise<void> | undefined;

  constructor(options: RabbitMQEventBusOptions) {
    this.options = resolveOptions(options);
    this.pipeline = new DispatchPipeline({
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.middleware === undefined ? {} : { middleware: options.middleware }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.codec === undefined ? {} : { codec: options.codec }),
      ...(options.upcasters === undefined ? {} : { upcasters: options.upcasters }),
    });
    this.logger = this.pipeline.logger;
    this.exchange = this.options.exchange;
    this.prefix = this.options.prefix;
    this.redactor = createRedactor(this.options.endpoints.flatMap((e) => e.secrets));
    this.state = new BusConnectionState(this.logger);
    const manager = (role: string) =>
      new ConnectionManager({
        role,
        nodes: new NodeList(this.options.endpoints),
        socketOptions: this.options.socketOptions,
        connectionName: this.options.connectionName,
        connectTimeoutMs: this.options.connectTimeoutMs,
        reconnect: this.options.reconnect,
        logger: this.logger,
        redactor: this.redactor,
        onState: (state, error, endpoint) => this.state.update(role, state, error, endpoint),
      });
    this.publishConnection = manager('publish');
    this.consumeConnection = manager('consume');
    this.topology = new Topology(this.options.exchange, this.options.prefix, this.options.queueType);
    this.publisher = new ConfirmPublisher({
      manager: this.publishConnection,
      timeoutMs: this.options.publishTimeoutMs,
      maxInFlight: this.options.maxPublishesInFlight,
      logger: this.logger,
      redactor: this.redactor,
      prepare: (ch) => this.topology.declareShared(ch),
    });
    const admin = new AdminChannels(this.publishConnection, this.options.publishTimeoutMs, this.logger, this.redactor);
    this.deadLetterQueue = new DeadLetterQueue(
      this.publisher,
      this.topology,
      admin,
      this.pipeline.codec,
      this.logger,
      this.options.deadLetterRoute,
    );
    this.deadLetters = {
      list: (limit) => (this.closing ? Promise.reject(new BusClosedError()) : this.deadLetterQueue.list(limit)),
      replay: (id) => (this.closing ? Promise.reject(new BusClosedError()) : this.deadLetterQueue.replay(id)),
      purge: () => (this.closing ? Promise.reject(new BusClosedError()) : this.deadLetterQueue.purge()),
    };
    this.retryRouter = new RetryRouter(this.publisher, this.topology, admin, this.logger);
    this.consumeConnection.onConnected(async (conn) => {
      await Promise.all([...this.consumers.values()].map((c) => c.restore(conn)));
    });
    this.send = this.pipeline.composePublish((event) => this.sendEvent(event));
    this.sendValidated = composePublish(options.middleware ?? [], (event) => this.sendEvent(event));
  }

  /** Opens the connection(s) now; rejects fast (RabbitMQConnectionError) when the broker cannot be reached. */
  async connect(): Promise<void> {
    if (this.closing) throw new BusClosedError();
    await this.publishConnection.ensure(this.options.connectTimeoutMs);
    if (this.consumers.size > 0) await this.consumeConnection.ensure(this.options.connectTimeoutMs);
  }

  on(event: 'connection', listener: (change: ConnectionStateChange) => void): () => void;
  on(event: 'consumerCancelled', listener: (info: ConsumerCancelled) => void): () => void;
  on(
    event: 'connection' | 'consumerCancelled',
    listener: ((change: ConnectionStateChange) => void) | ((info: ConsumerCancelled) => void),
  ): () => void {
    if (event === 'connection') return this.state.emitter.on(listener as (change: ConnectionStateChange) => void);
    if (event === 'consumerCancelled') {
      const l = listener as (info: ConsumerCancelled) => void;
      this.cancelListeners.add(l);
      return () => this.cancelListeners.delete(l);
    }
    throw new ValidationError('event', 'must be "connection" or "consumerCancelled"');
  }

  publish(event: BaseEvent): Promise<void> {
    return this.closing ? Promise.reject(new BusClosedError()) : callPublish(this.send, event);
  }

  /**
   * Validates every event first (nothing is sent if one is invalid), then
   * writes them all and waits for the broker's confirms together. Rejects with
   * a PublishError naming how many were not confirmed; the others were.
   */
  async publishAll(events: BaseEvent[]): Promise<void> {
    if (this.closing) throw new BusClosedError();
    // Core's validation (the type's 255-byte limit included) and the codec's size limit, for the whole batch first.
    validateEvents(events, 'events', (e) => this.pipeline.checkSize(e));
    const results = await Promise.allSettled(events.map((e) => this.publishValidated(e)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length === 0) return;
    const first = failed[0]!.reason as Error;
    if (failed.length === 1) throw first;
    throw new PublishError(`${failed.length} of ${events.length} events were not confirmed; first: ${first.message}`, {
      cause: first,
    });
  }

  private publishValidated(event: BaseEvent): Promise<void> {
    return this.closing ? Promise.reject(new BusClosedError()) : callPublish(this.sendValidated, event);
  }

  async subscribe<T extends BaseEvent = BaseEvent>(
    pattern: string,
    handler: EventHandler<T> | HandlerFunction<T>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    if (this.closing) throw new BusClosedError();
    const target = this.pipeline.createTarget(pattern, handler, options);
    checkRoutingKey(pattern, 'pattern');
    const { subscription } = target;
    const group = subscription.group;
    const queue = group === undefined ? this.topology.subscriptionQueue(subscription.id) : this.topology.groupQueue(group);
    if (Buffer.byteLength(queue) > MAX_SHORT_STRING) {
      throw new ValidationError('options.group', `makes the queue name "${queue}" longer than ${MAX_SHORT_STRING} bytes`);
    }
    if (group !== undefined) {
      const known = this.groupPatterns.get(group);
      if (known && known.pattern !== pattern) {
        throw new ValidationError(
          'pattern',
          `group "${group}" already subscribes to "${known.pattern}"; every member of a group must use the same pattern`,
        );
      }
      if (known) known.members++;
      else this.groupPatterns.set(group, { pattern, members: 1 });
    }
    const concurrency = subscription.concurrency;
    const prefetch = Math.min(65_535, Math.max(concurrency, this.options.prefetch ?? concurrency * 10));
    const consumer = new SubscriptionConsumer(target, queue, {
      pipeline: this.pipeline,
      topology: this.topology,
      manager: this.consumeConnection,
      retryRouter: this.retryRouter,
      deadLetters: this.deadLetterQueue,
      logger: this.logger,
      redactor: this.redactor,
      prefetch,
      closeTimeoutMs: this.options.closeTimeoutMs,
      onCancelled: (info) => {
        for (const l of this.cancelListeners) l(info);
      },
    });
    this.consumers.set(subscription.id, consumer);
    try {
      // The publishing side declares the exchanges and carries retries and dead letters.
      await this.publishConnection.ensure(this.options.publishTimeoutMs);
      const conn = await this.consumeConnection.ensure(this.options.publishTimeoutMs);
      await consumer.start(conn);
    } catch (error) {
      this.forget(consumer);
      await consumer.stop();
      throw error;
    }
    if (this.closing) {
      this.forget(consumer);
      await consumer.stop();
      throw new BusClosedError();
    }
    return subscription;
  }

  /** Stops the subscription's consumer and waits for its handlers. Idempotent: concurrent calls wait for the same stop. */
  async unsubscribe(subscription: Subscription): Promise<void> {
    const id = subscription?.id;
    const stopping = this.stopping.get(id);
    if (stopping) return stopping;
    const consumer = this.consumers.get(id);
    if (!consumer) return;
    this.forget(consumer);
    const stopped = consumer.stop().finally(() => this.stopping.delete(id));
    this.stopping.set(id, stopped);
    return stopped;
  }

  /**
   * Stops consuming, waits for running handlers (aborting them after
   * `closeTimeoutMs`), leaves unacknowledged messages to be redelivered,
   * waits for outstanding confirms, then closes channels and connections.
   * Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Exchanges and queues this bus declared (for operators and test clean-up). */
  declaredTopology(): { exchanges: string[]; queues: string[] } {
    return this.topology.declared();
  }

  // ---- internals ----------------------------------------------------------------------

  private sendEvent(event: BaseEvent): Promise<void> {
    const content = this.pipeline.codec.encode(event);
    return this.publisher.publish({
      exchange: this.options.exchange,
      routingKey: event.type,
      content,
      options: eventProperties(event, this.pipeline.codec.contentType),
      mandatory: this.options.mandatory,
      eventId: event.id,
      eventType: event.type,
    });
  }

  private forget(consumer: SubscriptionConsumer): void {
    const { id, group } = consumer.subscription;
    if (!this.consumers.delete(id) || group === undefined) return;
    const known = this.groupPatterns.get(group);
    if (known && --known.members === 0) this.groupPatterns.delete(group);
  }

  private async shutdown(): Promise<void> {
    this.state.freeze();
    const consumers = [...this.consumers.values()];
    this.consumers.clear();
    this.groupPatterns.clear();
    // One deadline for every consumer (core's close rule), from the moment close was called.
    const until = closeDeadline(this.options.closeTimeoutMs);
    await Promise.all([...consumers.map((c) => c.stop(until)), ...this.stopping.values()]);
    await this.publisher.close();
    await Promise.all([this.publishConnection.close(), this.consumeConnection.close()]);
    this.state.closed();
  }
}

/** A pattern is a binding key, also an AMQP short string (event types are held to the same limit by core). */
function checkRoutingKey(value: string, field: string): void {
  if (Buffer.byteLength(value) > MAX_SHORT_STRING) {
    throw new ValidationError(field, `is longer than ${MAX_SHORT_STRING} bytes, the AMQP routing-key limit`);
  }
}
