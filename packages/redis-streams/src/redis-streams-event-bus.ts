import { hostname } from 'node:os';
import {
  BusClosedError,
  createRedactor,
  eventLogFields,
  isHeraldError,
  PublishError,
  toError,
  ValidationError,
  type BaseEvent,
  type ConnectionStateChange,
  type DeadLetterRecord,
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
  closeDeadline,
  ConnectionStateEmitter,
  createDeadLetters,
  DispatchPipeline,
  PublishPath,
  type HandlerDeadline,
  type EncodedEvent,
} from '@herald/core/transport';
import {
  busLinkState,
  createClient,
  describeTarget,
  evalInChunks,
  isClusterClient,
  RedisDeadLetterStore,
  secretsOf,
  TickWrites,
  type RedisClient,
} from '@herald/redis-common';
import type { Redis } from 'ioredis';
import { groupNameOf, KeyLayout } from './keys.js';
import { Link, RedisStreamsConnectionError } from './link.js';
import { resolveOptions, type RedisStreamsEventBusOptions, type ResolvedOptions } from './options.js';
import { EVENT_FIELD, StreamSubscription, TARGET_FIELD } from './stream-subscription.js';
import { TRIM_SCRIPT } from './trim-script.js';
import { XADD_CHUNK, XADD_SCRIPT } from './xadd-batch.js';

/** Entries one trim run looks at, at most (a long backlog is trimmed over several runs). */
const TRIM_BATCH = 10_000;

/**
 * The event bus over Redis Streams: at-least-once. Events are appended (XADD)
 * to one of `partitions` streams by aggregateId; every subscription reads
 * through a Redis consumer group (its Herald group's, or one of its own when
 * ungrouped), acknowledges an entry only after its handler settled, and takes
 * over entries a dead member left pending. See README for the guarantees.
 */
export class RedisStreamsEventBus implements EventBus {
  readonly capabilities: TransportCapabilities = Object.freeze({
    persistent: true,
    consumerGroups: true,
    redelivery: true,
    ordered: true,
    deadLetters: true,
  });
  readonly deadLetters: DeadLetters;
  readonly prefix: string;
  /** The stream keys, one per partition. */
  readonly streams: readonly string[];

  private readonly options: ResolvedOptions;
  private readonly pipeline: DispatchPipeline;
  private readonly logger: Logger;
  private readonly keys: KeyLayout;
  private readonly cluster: boolean;
  private readonly target: string;
  private readonly redactor: Redactor;
  private readonly commands: Link;
  private readonly readerLinks = new Set<Link>();
  private readonly readersOf = new Map<string, Link[]>();
  private readonly store: RedisDeadLetterStore;
  private readonly state: ConnectionStateEmitter;
  private readonly subscriptions = new Map<string, StreamSubscription>();
  /** Pattern of each local group, so members agree (they share one Redis consumer group). */
  private readonly groupPatterns = new Map<string, { pattern: string; members: number }>();
  private readonly stopped = new Map<string, Promise<void>>();
  /** publish / publishAll: validation, middleware, close; the XADDs themselves are transmit / transmitBatch. */
  private readonly publishing: PublishPath;
  /** The XADDs of one tick leave in one socket write. */
  private readonly writes: TickWrites;
  private readonly consumerBase: string;
  private readonly sinceTrim = new Map<string, number>();
  private trimming: Promise<number> | undefined;
  private closing: Promise<void> | undefined;
  /** Set by close(): the deadline its subscriptions stop by (unsubscribe alone gives handlers the whole closeTimeoutMs). */
  private closeUntil: HandlerDeadline | undefined;
  private closed = false;

  constructor(options: RedisStreamsEventBusOptions) {
    this.options = resolveOptions(options);
    this.prefix = this.options.prefix;
    this.keys = new KeyLayout(this.prefix, this.options.partitions);
    this.streams = this.keys.streams;
    this.pipeline = new DispatchPipeline(options);
    this.logger = this.pipeline.logger;
    const codec = this.pipeline.codec;
    this.cluster = isClusterClient(this.options.redis);
    this.state = new ConnectionStateEmitter(this.logger, 'redis-streams', 'disconnected');
    this.commands = this.link('publisher');
    this.writes = new TickWrites(this.commands.client);
    this.redactor = createRedactor(secretsOf(this.commands.client));
    this.target = describeTarget(this.commands.client);
    this.consumerBase = `${this.options.connectionName}@${hostname()}:${process.pid}`;
    this.store = new RedisDeadLetterStore(
      this.keys.deadLetterPrefix,
      (command) => this.runCommand((client) => command(client as Redis)),
      codec,
      this.logger,
      this.options.maxDeadLetters,
      this.options.maxRawChars,
    );
    this.deadLetters = createDeadLetters(this.store, (record) => this.redeliver(record));
    this.publishing = new PublishPath({ pipeline: this.pipeline, transmit: this.transmit, transmitBatch: this.transmitBatch });
  }

  // ---- EventBus -------------------------------------------------------------

  async connect(): Promise<void> {
    if (this.closing) throw new BusClosedError();
    await this.commands.whenReady(this.options.connectTimeoutMs, true);
  }

  on(_event: 'connection', listener: (change: ConnectionStateChange) => void): () => void {
    return this.state.on(listener);
  }

  publish(event: BaseEvent): Promise<void> {
    return this.publishing.publish(event);
  }

  /**
   * Validates (and encodes) the whole batch first: nothing is sent if one event
   * is bad. Then the XADDs go out pipelined, in order per partition: one round
   * trip on a standalone server, one per partition on a Cluster.
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
    const target = this.pipeline.createTarget(pattern, handler, options);
    const { subscription } = target;
    const group = subscription.group;
    if (group !== undefined) {
      const known = this.groupPatterns.get(group);
      if (known && known.pattern !== pattern) {
        throw new ValidationError(
          'pattern',
          `group "${group}" already subscribes to "${known.pattern}"; every member of a group must use the same pattern`,
        );
      }
      this.groupPatterns.set(group, { pattern, members: (known?.members ?? 0) + 1 });
    }
    const readers = (this.cluster ? this.streams.map((s) => [s]) : [this.streams]).map((streams) => ({
      link: this.link('reader'),
      streams,
    }));
    for (const r of readers) this.readerLinks.add(r.link);
    this.readersOf.set(subscription.id, readers.map((r) => r.link));
    const sub = new StreamSubscription({
      pipeline: this.pipeline,
      target,
      group: groupNameOf(group, subscription.id),
      consumer: `${this.consumerBase}:${subscription.id.slice(0, 8)}`,
      ownGroup: group === undefined,
      streams: this.streams,
      commands: this.commands,
      readers,
      claimIdleMs: this.options.claimIdleMs,
      blockMs: this.options.blockMs,
      readAhead: this.options.readAhead,
      timeoutMs: this.options.publishTimeoutMs,
      closeTimeoutMs: this.options.closeTimeoutMs,
      deadLetter: this.storeDeadLetter,
      logger: this.logger,
    });
    this.subscriptions.set(subscription.id, sub);
    try {
      await sub.start();
    } catch (error) {
      await this.unsubscribe(subscription);
      throw this.closing ? new BusClosedError() : error;
    }
    if (this.closing) throw new BusClosedError();
    return subscription;
  }

  async unsubscribe(subscription: Subscription): Promise<void> {
    const sub = this.subscriptions.get(subscription?.id);
    if (!sub) {
      await this.stopped.get(subscription?.id);
      return;
    }
    this.subscriptions.delete(subscription.id);
    const group = subscription.group;
    if (group !== undefined) {
      const known = this.groupPatterns.get(group);
      if (known && --known.members === 0) this.groupPatterns.delete(group);
    }
    const stopping = sub.stop(this.closeUntil).catch((error: unknown) => {
      this.logger.warn({ transport: 'redis-streams', pattern: subscription.pattern, error: this.redactor.text(toError(error).message) }, 'redis-streams: unsubscribe could not clean up in Redis');
    });
    this.stopped.set(subscription.id, stopping);
    await stopping;
    for (const link of this.readersOf.get(subscription.id) ?? []) this.readerLinks.delete(link);
    this.readersOf.delete(subscription.id);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * Trims every stream towards `maxLen` now (the bus also does it as it
   * publishes), never past an entry a consumer group still needs. Returns the
   * number of entries removed. Without `maxLen` it does nothing.
   */
  trim(): Promise<number> {
    const maxLen = this.options.maxLen;
    if (maxLen === undefined) return Promise.resolve(0);
    this.trimming ??= (async () => {
      let removed = 0;
      try {
        for (const stream of this.streams) {
          this.sinceTrim.set(stream, 0);
          removed += Number(await this.commands.run((c) => c.eval(TRIM_SCRIPT, 1, stream, maxLen, TRIM_BATCH), this.options.publishTimeoutMs));
        }
      } finally {
        this.trimming = undefined;
      }
      return removed;
    })();
    return this.trimming;
  }

  /** The stream (partition) an event is appended to. */
  streamOf(event: BaseEvent): string {
    return this.keys.streamOf(event);
  }

  // ---- internals ----------------------------------------------------------------

  // Not async, and no finally: a publish is on the hot path and each promise layer costs a hop and garbage.
  private readonly transmit = (event: BaseEvent): Promise<void> => {
    const stream = this.keys.streamOf(event);
    const payload = this.publishing.encode(event);
    this.writes.hold();
    return this.commands.run((c) => c.xadd(stream, '*', EVENT_FIELD, payload), this.options.publishTimeoutMs).then(
      () => this.published(stream, 1),
      (error: unknown) => {
        throw this.publishError(event, error);
      },
    );
  };

  /**
   * A validated batch (publishAll without publish middleware): each partition's share goes out as EVALs of a
   * Lua loop of XADD (see XADD_CHUNK), all partitions at once, in order within each (one connection on a single
   * Redis; on a Cluster each partition's chunks go to its master, the stream being the script's key).
   */
  private readonly transmitBatch = async (events: readonly BaseEvent[], payloads: readonly EncodedEvent[]): Promise<void> => {
    const batches = new Map<string, EncodedEvent[]>();
    for (let i = 0; i < events.length; i++) {
      const stream = this.keys.streamOf(events[i]!);
      const batch = batches.get(stream);
      if (batch) batch.push(payloads[i]!);
      else batches.set(stream, [payloads[i]!]);
    }
    this.writes.hold();
    const deadline = performance.now() + this.options.publishTimeoutMs;
    await Promise.all(
      [...batches].map(async ([stream, batch]) => {
        try {
          await this.commands.run(
            (c) =>
              evalInChunks(c, {
                script: XADD_SCRIPT,
                keys: [stream],
                args: batch,
                stride: 1,
                chunk: XADD_CHUNK,
                plain: (pipeline, i) => pipeline.xadd(stream, '*', EVENT_FIELD, batch[i]!),
                deadline,
              }),
            this.options.publishTimeoutMs,
          );
        } catch (error) {
          throw this.publishError(undefined, error, events.length);
        }
        this.published(stream, batch.length);
      }),
    );
  };

  private publishError(event: BaseEvent | undefined, thrown: unknown, batchSize?: number): PublishError {
    if (thrown instanceof PublishError) return thrown;
    const error = this.redactor.error(thrown);
    const what = event ? `${event.type} (${event.id})` : `a batch of ${batchSize ?? '?'} events`;
    return new PublishError(`redis-streams: could not publish ${what}: ${error.message}`, {
      eventId: event?.id,
      eventType: event?.type,
      cause: error,
    });
  }

  /** With maxLen, a trim runs in the background once a stream grew by a tenth of it. */
  private published(stream: string, n: number): void {
    const maxLen = this.options.maxLen;
    if (maxLen === undefined) return;
    const since = (this.sinceTrim.get(stream) ?? 0) + n;
    this.sinceTrim.set(stream, since);
    if (since >= Math.max(1, Math.floor(maxLen / 10)) && !this.trimming && !this.closing) {
      this.trim().catch((error: unknown) => {
        this.logger.warn({ transport: 'redis-streams', error: this.redactor.text(toError(error).message) }, 'redis-streams: trimming failed');
      });
    }
  }

  /**
   * Replay: to the consumer group that failed (an entry only that group
   * handles, the others acknowledge it unseen), or — for an ungrouped
   * subscription — published again to every subscriber.
   */
  private redeliver(record: DeadLetterRecord): Promise<void> {
    const event = record.event!;
    if (record.group === undefined) return this.publish(event);
    if (this.closing) return Promise.reject(new BusClosedError());
    const stream = this.keys.streamOf(event);
    const payload = this.publishing.encode(event);
    return this.publishing.track(
      this.commands
        .run((c) => c.xadd(stream, '*', EVENT_FIELD, payload, TARGET_FIELD, record.group!), this.options.publishTimeoutMs)
        .then(
          () => undefined,
          (error: unknown) => {
            throw this.publishError(event, error);
          },
        ),
    );
  }

  /** Dead-letter commands: on the bus's connection while it is open, on a short-lived one after close. */
  /** Dead-letter commands: their failures reach `deadLetters.*` callers as HeraldErrors. */
  private async runCommand<T>(command: (client: RedisClient) => Promise<T>): Promise<T> {
    try {
      if (!this.closed) return await this.commands.run(command, this.options.publishTimeoutMs);
      const link = this.link('admin');
      try {
        return await link.run(command, this.options.publishTimeoutMs);
      } finally {
        link.abort();
      }
    } catch (error) {
      if (isHeraldError(error)) throw error;
      // Redis refused the command (e.g. WRONGTYPE): a new error, since ioredis's carries the command's arguments (payloads).
      const cause = this.redactor.error(error);
      throw new RedisStreamsConnectionError(`redis-streams: Redis did not complete a dead-letter command: ${cause.message}`, { cause });
    }
  }

  /** Stores a dead letter; true when stored. A failure is logged and the entry stays pending (it comes back). */
  private readonly storeDeadLetter = async (record: DeadLetterRecord): Promise<boolean> => {
    try {
      await this.store.add(record);
      return true;
    } catch (error) {
      this.logger.error(
        {
          ...(record.event ? eventLogFields(record.event) : {}),
          deadLetterId: record.id,
          pattern: record.pattern,
          error: this.redactor.text(toError(error).message),
        },
        'redis-streams: could not store a dead letter; the entry stays pending and will be delivered again',
      );
      return false;
    }
  };

  private link(role: 'publisher' | 'reader' | 'admin'): Link {
    const client = createClient(
      this.options.redis,
      {
        lazyConnect: true,
        enableOfflineQueue: false,
        // A Cluster reports a lost node connection to no one, so a reader's blocked XREADGROUP is
        // resent there rather than left hanging (entries of a lost reply stay pending and are claimed).
        autoResendUnfulfilledCommands: this.cluster && role === 'reader',
        connectionName: `${this.options.connectionName}:${role}`,
        // No auto-pipelining: ioredis never settles an auto-pipeline lost with its connection (without
        // resending), and every later command of that slot would queue behind it until its timeout.
        enableAutoPipelining: false,
      },
      { lazyConnect: true, enableOfflineQueue: false, enableAutoPipelining: false },
    );
    const secrets = this.redactor ?? createRedactor(secretsOf(client));
    return new Link({
      role,
      client,
      target: this.target ?? describeTarget(client),
      logger: this.logger,
      redactor: secrets,
      onState: () => this.onConnectionState(),
    });
  }

  private onConnectionState(): void {
    if (this.closing) return;
    const bus = busLinkState([this.commands, ...this.readerLinks]);
    if (bus !== undefined) this.state.set(bus.state, bus.error);
  }

  /**
   * close(): new publishes are refused, those under way finish (each is
   * bounded); every subscription stops (a barrier: running handlers finish or
   * are aborted after closeTimeoutMs; what was read and not settled stays
   * pending in Redis for another member); then the connections close. The
   * user's own client is never touched.
   */
  private async shutdown(): Promise<void> {
    // One deadline for every subscription's handlers (core's close rule), from the moment close was called.
    this.closeUntil = closeDeadline(this.options.closeTimeoutMs);
    await this.publishing.close();
    const subs = [...this.subscriptions.values()].map((s) => this.unsubscribe(s.subscription));
    await Promise.all(subs);
    await this.trimming?.catch(() => undefined);
    this.closed = true;
    for (const link of this.readerLinks) link.abort();
    await this.commands.close(this.options.publishTimeoutMs);
    this.state.set('closed');
  }
}
