import { BusClosedError, isHeraldError, sleep, type Logger, type Redactor, type Subscription } from '@herald/core';
import {
  HandlerSlots,
  unsubscribeDeadline,
  type HandlerDeadline,
  Deque,
  exponentialBackoff,
  type DispatchPipeline,
  type DispatchTarget,
} from '@herald/core/transport';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { AckBatcher } from './ack-batcher.js';
import type { ConnectionManager } from './connection-manager.js';
import type { DeadLetterQueue } from './dead-letter-queue.js';
import { readAttempt } from './message.js';
import type { RetryRouter } from './retry-router.js';
import type { Topology } from './topology.js';
import { WaitingRetries } from './waiting-retries.js';
import { closeQuietly, settleWithin } from './close-quietly.js';

/** What `bus.on('consumerCancelled')` hears: the broker cancelled a consumer (its queue was deleted). */
export interface ConsumerCancelled {
  subscription: Subscription;
  queue: string;
}

export interface ConsumerDeps {
  pipeline: DispatchPipeline;
  topology: Topology;
  manager: ConnectionManager;
  retryRouter: RetryRouter;
  deadLetters: DeadLetterQueue;
  logger: Logger;
  redactor: Redactor;
  prefetch: number;
  closeTimeoutMs: number;
  onCancelled(info: ConsumerCancelled): void;
}

interface Delivery {
  readonly msg: ConsumeMessage;
  readonly ch: Channel;
  readonly acks: AckBatcher;
}

/** Waits between attempts to start consuming again: 200 ms doubling to 5 s. */
const RESTART_BACKOFF = { initialMs: 200, maxMs: 5_000 };
/** Pause before giving a message back when its retry/dead letter could not be stored, so it does not spin. */
const REQUEUE_PAUSE_MS = 500;

/**
 * One subscription's consumer: its own channel (so its prefetch and its
 * failures are its own), manual acks, at most `concurrency` handlers at once
 * in delivery order. Every delivery goes through core's pipeline (decode,
 * filter, middleware, handler, retry decision, errorHandler, dead-letter
 * record); this class only moves messages: ack on success, route to a delay
 * queue or the dead-letter exchange (and ack once that is confirmed) on
 * failure. Messages it never acked go back to the queue when its channel
 * closes, so a crash or dropped connection loses nothing.
 */
export class SubscriptionConsumer {
  private channel: Channel | undefined;
  private acks: AckBatcher | undefined;
  private channelConn: ChannelModel | undefined;
  private consumerTag: string | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly buffer = new Deque<Delivery>();
  private stopped = false;
  /** Running handlers: their count, their ctx.signal, and the wait for them at stop. */
  private readonly handlers = new HandlerSlots();
  /** Undecodable messages whose dead letter awaits the broker's confirm (they hold no handler slot). */
  private readonly quarantined = new Set<Promise<void>>();
  private readonly deadChannels = new WeakSet<Channel>();
  private restartTimer: NodeJS.Timeout | undefined;
  /** Restarts scheduled since consuming last started: the step on RESTART_BACKOFF. */
  private restarts = 0;
  /** Ungrouped only: retries waiting on the broker, dead-lettered at stop if they never came back. */
  private readonly waitingRetries: WaitingRetries | undefined;

  constructor(
    readonly target: DispatchTarget,
    readonly queue: string,
    private readonly deps: ConsumerDeps,
  ) {
    this.waitingRetries = target.subscription.group === undefined ? new WaitingRetries() : undefined;
  }

  get subscription(): Subscription {
    return this.target.subscription;
  }

  /** Declares the queue and consumes on `conn`. Rejects when that fails (subscribe reports it). */
  start(conn: ChannelModel): Promise<void> {
    if (this.stopped || (this.channel && this.channelConn === conn)) return Promise.resolve();
    this.starting ??= this.open(conn).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** After a reconnect or a lost channel: start again, retrying with backoff. Never rejects. */
  async restore(conn: ChannelModel): Promise<void> {
    try {
      await this.start(conn);
      if (!this.stopped && this.channelConn !== conn) await this.start(conn); // an earlier start was for an old connection
      this.restarts = 0;
    } catch (error) {
      if (this.stopped) return;
      this.deps.logger.warn(
        { ...this.fields(), error: this.deps.redactor.error(error).message, retryInMs: exponentialBackoff(RESTART_BACKOFF, this.restarts + 1) },
        'rabbitmq consumer could not be restored; retrying',
      );
      this.scheduleRestart();
    }
  }

  /** Stops consuming, waits for running handlers (then aborts them), closes the channel. Idempotent. */
  stop(until: HandlerDeadline = unsubscribeDeadline(this.deps.closeTimeoutMs)): Promise<void> {
    this.stopping ??= this.shutdown(until);
    return this.stopping;
  }

  // ---- channel ------------------------------------------------------------------

  private async open(conn: ChannelModel): Promise<void> {
    const { topology, prefetch, logger, redactor } = this.deps;
    const ch = await conn.createChannel();
    const acks = new AckBatcher(ch);
    ch.on('error', (error: unknown) => {
      logger.warn({ ...this.fields(), error: redactor.error(error).message }, 'rabbitmq consumer channel error');
    });
    ch.on('close', () => {
      acks.close();
      this.onChannelClose(ch);
    });
    try {
      await topology.declareSubscriptionQueue(ch, this.spec());
      await ch.prefetch(prefetch);
      if (this.stopped) throw new BusClosedError('unsubscribed while starting');
      this.channel = ch;
      this.acks = acks;
      this.channelConn = conn;
      const { consumerTag } = await ch.consume(this.queue, (msg) => this.onMessage(ch, msg), { noAck: false });
      this.consumerTag = consumerTag;
      logger.debug({ ...this.fields(), prefetch }, 'rabbitmq consumer started');
    } catch (error) {
      if (this.channel === ch) {
        this.channel = undefined;
        this.acks = undefined;
        this.channelConn = undefined;
      }
      await closeQuietly(ch);
      // Herald's own errors (a queue declared with other arguments) carry no secrets and keep their type.
      throw isHeraldError(error) ? error : redactor.error(error);
    }
  }

  private onChannelClose(ch: Channel): void {
    this.deadChannels.add(ch);
    if (this.channel !== ch) return;
    this.channel = undefined;
    this.acks = undefined;
    this.channelConn = undefined;
    this.consumerTag = undefined;
    this.buffer.drain(); // never started: the broker redelivers them
    if (this.stopped) return;
    // A dropped connection is restored by the connection's setup hook; a channel
    // closed on its own (a channel error) is restarted here.
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.stopped || this.restartTimer !== undefined) return;
    const delay = exponentialBackoff(RESTART_BACKOFF, ++this.restarts);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      const conn = this.deps.manager.current;
      if (this.stopped || this.channel || !conn) return;
      void this.restore(conn);
    }, delay);
  }

  /** The broker cancelled our consumer (queue deleted): declare the queue again and consume on the same channel. */
  private async onBrokerCancel(ch: Channel): Promise<void> {
    if (this.stopped || this.channel !== ch) return;
    this.consumerTag = undefined;
    const { logger, topology, redactor } = this.deps;
    logger.warn(this.fields(), 'rabbitmq consumer cancelled by the broker (queue deleted?); declaring the queue again');
    try {
      this.deps.onCancelled({ subscription: this.subscription, queue: this.queue });
    } catch (error) {
      logger.error({ ...this.fields(), error: (error as Error).message }, 'consumerCancelled listener threw');
    }
    try {
      await topology.declareSubscriptionQueue(ch, this.spec());
      if (this.stopped || this.channel !== ch) return;
      const { consumerTag } = await ch.consume(this.queue, (msg) => this.onMessage(ch, msg), { noAck: false });
      this.consumerTag = consumerTag;
      logger.info(this.fields(), 'rabbitmq consumer restored after cancellation');
    } catch (error) {
      logger.warn({ ...this.fields(), error: redactor.error(error).message }, 'rabbitmq consumer could not be restored after cancellation');
      // A failed declaration closed the channel; its close handler restarts the consumer.
      if (!this.deadChannels.has(ch)) await closeQuietly(ch);
    }
  }

  // ---- delivery -------------------------------------------------------------------

  private onMessage(ch: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      void this.onBrokerCancel(ch);
      return;
    }
    if (this.stopped || ch !== this.channel || !this.acks) return; // left unacked: requeued when the channel closes
    this.acks.track(msg);
    this.buffer.push({ msg, ch, acks: this.acks });
    this.pump();
  }

  private pump(): void {
    const max = this.target.subscription.concurrency;
    while (this.handlers.inFlight < max && this.buffer.length > 0) {
      const d = this.buffer.shift()!;
      if (this.stopped || d.ch !== this.channel) continue;
      this.handlers.take();
      this.handle(d);
    }
  }

  /**
   * One delivery through core's pipeline. The common path (decoded, handled,
   * acked) runs on `startAttempt`'s callback without extra promise layers; a
   * retry or a dead letter is acked only once the broker confirmed its copy.
   */
  private handle(d: Delivery): void {
    const { pipeline, retryRouter, deadLetters } = this.deps;
    const { msg } = d;
    const { pattern, group } = this.target.subscription;
    const decoded = pipeline.decode(msg.content, { pattern, group });
    if (decoded.deadLetter !== undefined) {
      // Undecodable: straight to the dead-letter queue, never redelivered. It reaches no handler,
      // so it gives its handler slot back at once: its dead letter is a persistent message in a
      // durable queue, which the broker confirms only once it is on disk (seconds under heavy
      // I/O), and the sound events behind it must not wait for that. It stays unacked (within
      // the prefetch window) until the copy is confirmed.
      this.finished();
      this.quarantine(d, deadLetters.add(decoded.deadLetter, { content: msg.content, properties: msg.properties, queue: this.queue }));
      return;
    }
    const event = decoded.event;
    const attempt = readAttempt(msg.properties);
    const waiting = this.waitingRetries;
    if (waiting !== undefined && waiting.size > 0) waiting.arrived(event.id, attempt);
    pipeline.startAttempt(this.target, event, attempt, this.handlers.abort.signal, (outcome) => {
      if (outcome.status === 'retry') {
        const forget = waiting?.add(attempt + 1, {
          event,
          error: outcome.error,
          attempts: attempt,
          content: msg.content,
          properties: msg.properties,
        });
        const scheduled = retryRouter.schedule({
            content: msg.content,
            properties: msg.properties,
            queue: this.queue,
            attempt: attempt + 1,
            delayMs: outcome.delayMs,
            eventId: event.id,
            eventType: event.type,
          });
        // Not scheduled: the original goes back to the queue instead, so nothing waits.
        if (forget !== undefined) scheduled.catch(forget);
        this.reroute(d, scheduled);
      } else if (outcome.status === 'dead_letter') {
        this.reroute(
          d,
          deadLetters.add(outcome.record, { content: msg.content, properties: msg.properties, queue: this.queue, strategy: this.target.retry }),
        );
      } else {
        // success, filtered, or failed with dead-lettering disabled (core logged it): settled.
        this.settle(d, true);
        this.finished();
      }
    });
  }

  /** A retry or dead letter: acked once its copy is confirmed (else given back); the handler slot is freed then. */
  private reroute(d: Delivery, stored: Promise<void>): void {
    void this.settleWhenStored(d, stored, 'failed delivery could not be re-routed').then(() => this.finished());
  }

  /** An undecodable message: it holds no handler slot; close waits for it to be settled. */
  private quarantine(d: Delivery, stored: Promise<void>): void {
    const settled = this.settleWhenStored(d, stored, 'undecodable message could not be dead-lettered');
    this.quarantined.add(settled);
    void settled.finally(() => this.quarantined.delete(settled));
  }

  /**
   * Acks once `stored` (the message's copy elsewhere) is confirmed; if it is
   * not, warns with `failure` and gives the message back to the queue after a
   * pause, so it does not spin. Resolves once the message is settled.
   */
  private settleWhenStored(d: Delivery, stored: Promise<void>, failure: string): Promise<void> {
    return stored.then(
      () => this.settle(d, true),
      (error: unknown) => {
        this.deps.logger.warn(
          { ...this.fields(), messageId: d.msg.properties.messageId, error: this.deps.redactor.error(error).message },
          `${failure}; returning it to the queue`,
        );
        return sleep(REQUEUE_PAUSE_MS).then(() => this.settle(d, false));
      },
    );
  }

  private finished(): void {
    this.handlers.release();
    this.pump();
  }

  /** Ack (batched) or requeue on the channel that delivered it; a closed channel already gave it back. */
  private settle(d: Delivery, ack: boolean): void {
    if (ack) d.acks.ack(d.msg);
    else d.acks.requeue(d.msg);
  }

  // ---- teardown ---------------------------------------------------------------------

  private async shutdown(until: HandlerDeadline): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.starting?.catch(() => undefined);
    const ch = this.channel;
    const tag = this.consumerTag;
    if (ch && tag && !this.deadChannels.has(ch)) await settleWithin(ch.cancel(tag));
    this.buffer.drain();
    await this.handlers.stop(until, { logger: this.deps.logger, fields: this.fields(), closeTimeoutMs: this.deps.closeTimeoutMs });
    // Bounded by the publish timeout of each dead letter; what is not acked by then goes back to the queue.
    if (this.quarantined.size > 0) await Promise.allSettled([...this.quarantined]);
    await this.deadLetterWaitingRetries();
    this.acks?.flush();
    this.channel = undefined;
    this.acks = undefined;
    this.channelConn = undefined;
    if (ch && !this.deadChannels.has(ch)) await closeQuietly(ch); // unacked messages go back to the queue
  }

  /** An ungrouped subscription's retries still on the broker would come due into no queue: dead letters instead. */
  private async deadLetterWaitingRetries(): Promise<void> {
    const waiting = this.waitingRetries;
    if (waiting === undefined || waiting.size === 0) return;
    const { pattern, group } = this.target.subscription;
    const { deadLetters, logger, redactor } = this.deps;
    const entries = waiting.drain({ pattern, group });
    const results = await Promise.allSettled(
      entries.map((e) => deadLetters.add(e.record, { content: e.content, properties: e.properties, queue: this.queue, strategy: this.target.retry })),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    logger.warn(
      { ...this.fields(), deadLettered: entries.length - failed.length, failed: failed.length, ...(failed[0] ? { error: redactor.error(failed[0].reason).message } : {}) },
      'unsubscribed with retries still waiting on the broker; dead-lettered them',
    );
  }


  private spec() {
    return { queue: this.queue, pattern: this.target.subscription.pattern, group: this.target.subscription.group };
  }

  private fields() {
    const s = this.target.subscription;
    return { transport: 'rabbitmq', queue: this.queue, pattern: s.pattern, group: s.group, subscriptionId: s.id };
  }
}
