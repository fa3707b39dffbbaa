import {
  BusClosedError,
  UnsupportedError,
  createRedactor,
  type BaseEvent,
  type ConnectionStateChange,
  type DeadLetterRecord,
  type DeadLetters,
  type EventBus,
  type EventCodec,
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
  ConnectionStateEmitter,
  DeliveryQueues,
  DispatchPipeline,
  createDeadLetters,
  PublishPath,
  PublishWindow,
  type EncodedEvent,
} from '@herald/core/transport';
import { CommandConnection, type CommandFailure, type PublishCommand } from './command-connection.js';
import { ManagedConnection, RedisConnectionError } from './managed-connection.js';
import { DeadLetterBatcher } from './dead-letter-batcher.js';
import { busLinkState, RedisDeadLetterStore, type RedisClient } from '@herald/redis-common';
import { aimAtSlotMaster, clusterHashTag, routeKey, warmRoute } from './cluster-route.js';
import { publishError } from './errors.js';
import { publishBatch, publishRouted } from './publish-batch.js';
import { globsFor } from './globs.js';
import { MessageRouter, type Route } from './message-router.js';
import { runOnOneOffConnection } from './one-off-connection.js';
import { resolveOptions, type RedisPubSubEventBusOptions, type ResolvedOptions } from './options.js';
import { RedisClients, describeTarget, secretsOf } from './redis-clients.js';
import { SubscriberConnection } from './subscriber-connection.js';

const CHANNEL_CACHE_LIMIT = 10_000;
/** The RedisConnectionError `reason` of a dead-letter command that failed this way (a refusal counts as an error). */
const DEAD_LETTER_FAILURE: Record<CommandFailure, RedisConnectionError['reason']> = {
  unavailable: 'closed',
  lost: 'closed',
  timeout: 'timeout',
  rejected: 'error',
};
const clock = performance;

/** A publish's PublishError, from the event it was for (one function for every publish, no closure each). */
function eventPublishError(error: Error, failure: CommandFailure, event: BaseEvent): Error {
  return publishError(event, error, failure);
}

/**
 * The event bus over Redis pub/sub: at-most-once, fan-out to every
 * subscriber, no consumer groups, nothing kept for a subscriber that is not
 * connected. Retries run in process; dead letters are kept in Redis.
 *
 * Two connections per bus, duplicated from what the user passed: one for
 * PUBLISH and dead-letter commands, one subscriber connection shared by every
 * subscription. Events go to channel `<prefix><event.type>`.
 *
 * On a Redis Cluster (an ioredis `Cluster` as `redis`) it is classic pub/sub
 * through one node: see cluster-route.ts.
 */
export class RedisPubSubEventBus implements EventBus {
  readonly capabilities: TransportCapabilities = Object.freeze({
    persistent: false,
    consumerGroups: false,
    redelivery: false,
    ordered: true,
    deadLetters: true,
  });
  readonly deadLetters: DeadLetters;
  /** Channel and key prefix. */
  readonly prefix: string;

  private readonly options: ResolvedOptions;
  private readonly pipeline: DispatchPipeline;
  private readonly logger: Logger;
  private readonly codec: EventCodec;
  private readonly clients: RedisClients;
  private readonly redactor: Redactor;
  private readonly commands: CommandConnection;
  private readonly subscriber: SubscriberConnection;
  private readonly deliveries: DeliveryQueues;
  private readonly router: MessageRouter;
  private readonly store: RedisDeadLetterStore;
  private readonly deadLetterWriter: DeadLetterBatcher;
  /** maxPublishesInFlight. */
  private readonly window: PublishWindow;
  private readonly state: ConnectionStateEmitter;
  private readonly routes = new Map<string, Route>();
  private readonly channels = new Map<string, string>();
  /** publish / publishAll: validation, middleware, close; the PUBLISH itself is transmit / transmitBatch. */
  private readonly publishing: PublishPath;
  private closing: Promise<void> | undefined;
  private commandsClosed = false;
  /** On a Cluster: the key whose master carries the bus's publishes and subscriber. */
  private readonly route: string | undefined;

  constructor(options: RedisPubSubEventBusOptions) {
    this.options = resolveOptions(options);
    this.prefix = this.options.prefix;
    this.pipeline = new DispatchPipeline(options);
    this.logger = this.pipeline.logger;
    this.codec = this.pipeline.codec;
    this.clients = new RedisClients(this.options.redis, this.options.connectionName);
    const publisher = this.clients.create('publisher');
    const route = this.clients.cluster ? routeKey(this.prefix) : undefined;
    this.route = route;
    const sendPublish: PublishCommand | undefined =
      route === undefined ? undefined : (client, channel, payload) => publishRouted(client, route, channel, payload);
    this.redactor = createRedactor(secretsOf(publisher));
    const target = describeTarget(publisher);
    this.state = new ConnectionStateEmitter(this.logger, 'redis-pubsub', 'disconnected');

    const onState = () => this.onConnectionState();
    this.window = new PublishWindow(this.options.maxPublishesInFlight, this.options.publishTimeoutMs);
    this.commands = new CommandConnection(
      new ManagedConnection({
        role: 'publisher',
        client: publisher,
        target,
        logger: this.logger,
        redactor: this.redactor,
        setupTimeoutMs: this.options.publishTimeoutMs,
        onConnected: route === undefined ? undefined : () => warmRoute(publisher, route),
        onState,
      }),
      this.options.publishTimeoutMs,
      this.redactor,
      this.window,
      sendPublish,
    );
    this.deliveries = new DeliveryQueues({
      pipeline: this.pipeline,
      deadLetter: this.storeDeadLetter,
      highWaterMark: this.options.maxBufferedEvents,
      closeTimeoutMs: this.options.closeTimeoutMs,
      // Pub/sub cannot slow the publisher: a full subscription sheds into its dead letters.
      overflow: 'shed',
    });
    this.router = new MessageRouter({
      prefix: this.prefix,
      pipeline: this.pipeline,
      deliveries: this.deliveries,
      deadLetter: this.storeDeadLetter,
      logger: this.logger,
    });
    this.subscriber = new SubscriberConnection({
      client: this.clients.createSubscriber(),
      beforeRestore: route === undefined ? undefined : (client) => aimAtSlotMaster(client, route),
      target,
      logger: this.logger,
      redactor: this.redactor,
      timeoutMs: this.options.publishTimeoutMs,
      onMessage: this.router.receive,
      onState,
    });
    this.store = new RedisDeadLetterStore(
      // A Cluster runs a script only on keys of one slot: the dead letters share the route's hash tag.
      route === undefined ? this.prefix : clusterHashTag(this.prefix),
      (command) => this.runCommand(command),
      this.codec,
      this.logger,
      this.options.maxDeadLetters,
      this.options.maxRawChars,
    );
    this.deadLetterWriter = new DeadLetterBatcher(this.store, this.options.maxDeadLetters, this.logger, this.redactor);
    // Replay publishes the event again: every current subscriber of its type sees it (see README).
    this.deadLetters = createDeadLetters(this.store, (record) => this.replay(record.event!));
    this.publishing = new PublishPath({ pipeline: this.pipeline, transmit: this.transmit, transmitBatch: this.transmitBatch });
  }

  // ---- EventBus -------------------------------------------------------------

  async connect(): Promise<void> {
    if (this.closing) throw new BusClosedError();
    await this.commands.connection.whenReady(this.options.connectTimeoutMs, true);
    if (this.subscriber.connection.used) {
      await this.subscriber.connection.whenReady(this.options.connectTimeoutMs, true);
    }
  }

  on(_event: 'connection', listener: (change: ConnectionStateChange) => void): () => void {
    return this.state.on(listener);
  }

  publish(event: BaseEvent): Promise<void> {
    return this.publishing.publish(event);
  }

  /**
   * Validates the whole batch first (nothing is sent if one event is bad),
   * then publishes it in order in one round trip (see publish-batch.ts).
   * With publish middleware each event goes through it and is published on
   * its own, all at once, so the commands still share writes.
   */
  publishAll(events: BaseEvent[]): Promise<void> {
    return this.publishing.publishAll(events);
  }

  async subscribe<T extends BaseEvent = BaseEvent>(
    pattern: string,
    handler: EventHandler<T> | HandlerFunction<T>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    if (this.closing) throw new BusClosedError();
    if (options?.group !== undefined) {
      throw new UnsupportedError(
        'consumerGroups',
        'Redis pub/sub has no consumer groups: every subscriber receives every event. Use @herald/rabbitmq for competing consumers.',
      );
    }
    const target = this.pipeline.createTarget(pattern, handler, options);
    const { queue } = this.deliveries.add(target);
    const route: Route = {
      subscription: target.subscription,
      matches: target.matches,
      globs: globsFor(this.prefix, pattern),
      queue,
    };
    this.routes.set(route.subscription.id, route);
    this.router.add(route);
    try {
      await this.subscriber.add(route.globs.map((g) => g.text));
    } catch (error) {
      await this.unsubscribe(route.subscription);
      throw this.closing ? new BusClosedError() : error;
    }
    if (this.closing) throw new BusClosedError();
    return route.subscription;
  }

  async unsubscribe(subscription: Subscription): Promise<void> {
    const route = this.routes.get(subscription?.id);
    // Already unsubscribed: a repeated call still waits for that barrier.
    if (!route) return this.deliveries.whenStopped(subscription);
    this.routes.delete(route.subscription.id);
    this.router.remove(route);
    this.subscriber.remove(route.globs.map((g) => g.text));
    const removed = this.deliveries.remove(route.subscription);
    if (removed) await removed.stopped;
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

  // ---- internals ----------------------------------------------------------------

  /** A validated batch (publishAll without publish middleware): one slot of the window per event, EVALs of a Lua loop. */
  private readonly transmitBatch = async (events: readonly BaseEvent[], payloads: readonly EncodedEvent[]): Promise<void> => {
    const channels = events.map((e) => this.channelOf(e.type));
    const weight = events.length;
    const mapError = (error: Error, failure: CommandFailure) => publishError(undefined, error, failure, weight);
    let startedAt: number | undefined;
    if (!this.window.tryAcquire(weight)) {
      startedAt = clock.now();
      await this.window.acquire(() => mapError(this.windowFull(), 'timeout'), weight, startedAt);
    }
    try {
      const deadline = (startedAt ?? clock.now()) + this.options.publishTimeoutMs;
      await this.commands.run((client) => publishBatch(client, channels, payloads, this.route, deadline), mapError, undefined, startedAt);
    } finally {
      this.window.release(weight);
    }
  };

  /** PUBLISH within maxPublishesInFlight; resolves with how many subscribers received it. */
  private readonly transmit = (event: BaseEvent): Promise<void> => {
    if (this.window.tryAcquire()) return this.publishNow(event, undefined) as Promise<unknown> as Promise<void>;
    const startedAt = clock.now();
    return this.window
      .acquire(() => publishError(event, this.windowFull(), 'timeout'), 1, startedAt)
      .then(() => this.publishNow(event, startedAt)) as Promise<unknown> as Promise<void>;
  };

  /** The PUBLISH itself; its slot of the window is given back by CommandConnection when it settles. */
  private publishNow(event: BaseEvent, startedAt: number | undefined): Promise<number> {
    let payload: EncodedEvent;
    try {
      payload = this.publishing.encode(event);
    } catch (error) {
      this.window.release();
      throw error;
    }
    return this.commands.publish(this.channelOf(event.type), payload, eventPublishError, event, startedAt);
  }

  private windowFull(): Error {
    return new Error(`${this.options.maxPublishesInFlight} publishes were awaiting Redis's reply (maxPublishesInFlight) for the whole timeout`);
  }

  /**
   * Replays a dead letter's event through the publish path (validation,
   * middleware). Resolves false when the PUBLISH reached no subscriber, so the
   * record is kept instead of being deleted with nobody having received it.
   */
  private async replay(event: BaseEvent): Promise<boolean> {
    let receivers = 0;
    const send = this.pipeline.composePublish(async (e) => {
      receivers = Number(await (this.transmit(e) as Promise<unknown>));
    });
    await callPublish(send, event);
    return receivers > 0;
  }

  /** `<prefix><type>`, built once per type rather than once per publish. */
  private channelOf(type: string): string {
    let channel = this.channels.get(type);
    if (channel === undefined) {
      if (this.channels.size >= CHANNEL_CACHE_LIMIT) this.channels.clear();
      channel = this.prefix + type;
      this.channels.set(type, channel);
    }
    return channel;
  }

  /** Dead-letter commands: on the bus's connection while it is open, on a one-off connection after close. */
  private runCommand<T>(command: (client: RedisClient) => Promise<T>): Promise<T> {
    if (this.commandsClosed) {
      return runOnOneOffConnection(this.clients, this.redactor, this.options.publishTimeoutMs, command);
    }
    if (this.closing && !this.commands.connection.isReady) {
      // Closing with Redis away: do not hold close() for a bound per dead letter.
      return Promise.reject(new RedisConnectionError('redis-pubsub: Redis is unreachable while the bus closes', 'closed'));
    }
    return this.commands.run(
      command,
      // A new error: the command's own carries its arguments (the dead letters' payloads).
      (error: Error, failure: CommandFailure) =>
        new RedisConnectionError(`redis-pubsub: dead-letter command failed (${failure}): ${error.message}`, DEAD_LETTER_FAILURE[failure]),
    );
  }

  /** Stores a dead letter, batched with others of the same moment; never rejects (failures are logged per batch). */
  private readonly storeDeadLetter = (record: DeadLetterRecord): Promise<boolean> => this.deadLetterWriter.add(record);

  private onConnectionState(): void {
    if (this.closing) return;
    const bus = busLinkState([this.commands.connection, this.subscriber.connection]);
    if (bus !== undefined) this.state.set(bus.state, bus.error);
  }

  /**
   * close(): publishes under way finish (each is bounded); a round trip on the
   * subscriber connection makes sure what was published before close has
   * arrived; the subscriber connection closes; buffered events are handled
   * within closeTimeoutMs, running handlers get the same time and then the
   * abort signal, what was never attempted becomes a dead letter; last, the
   * command connection closes. The user's own client is never touched.
   */
  private async shutdown(): Promise<void> {
    const { publishTimeoutMs } = this.options;
    // One deadline for the whole close: draining, aborting handlers, dead-lettering what never ran.
    const deadline = performance.now() + this.options.closeTimeoutMs;
    this.deadLetterWriter.giveUpAt(deadline);
    await this.publishing.close();
    await this.window.whenEmpty();
    await this.commands.whenIdle();
    await this.subscriber.flush(publishTimeoutMs);
    await this.subscriber.close(publishTimeoutMs);
    const queues = await this.deliveries.close(deadline);
    for (const route of this.routes.values()) this.router.remove(route);
    this.routes.clear();
    if (queues.length > 0) this.logger.debug({ transport: 'redis-pubsub', subscriptions: queues.length }, 'redis-pubsub: subscriptions closed');
    await this.deadLetterWriter.whenFlushed();
    await this.commands.whenIdle();
    this.commandsClosed = true;
    await this.commands.connection.close(publishTimeoutMs);
    this.commands.dispose();
    this.state.set('closed');
  }
}
