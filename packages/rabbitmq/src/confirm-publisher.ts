import { BusClosedError, isHeraldError, PublishError, type Logger, type Redactor } from '@herald/core';
import { Deque, PublishWindow } from '@herald/core/transport';
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import type { ConnectionManager } from './connection-manager.js';
import { closeQuietly } from './close-quietly.js';

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
  /** Reject with PublishError when no queue is bound for it (basic.return). */
  mandatory?: boolean;
  eventId?: string | undefined;
  eventType?: string | undefined;
}

interface Pending {
  readonly msg: OutgoingMessage;
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
  /** The channel it was last written to; confirms from any other channel are stale. */
  sentOn: ConfirmChannel | undefined;
  returned: boolean;
}

export interface ConfirmPublisherOptions {
  manager: ConnectionManager;
  timeoutMs: number;
  /** maxPublishesInFlight: messages awaiting their confirm at once; more wait (within timeoutMs). */
  maxInFlight: number;
  logger: Logger;
  redactor: Redactor;
  /** Declares what publishing needs (exchanges, queues) on each new channel. */
  prepare(channel: ConfirmChannel): Promise<void>;
}

const NACKED = 'message nacked';

/** A mandatory message the broker returned: no queue was bound for its routing key. */
export class UnroutableError extends PublishError {}

/**
 * Publishes on a confirm channel. Each message resolves when the broker acks
 * it, rejects with PublishError on a nack, on a mandatory message the broker
 * returned, or when it is not confirmed within `timeoutMs` (the broker being
 * unreachable included). Messages lost in transit when a channel or connection
 * dies are written again, in their original order, on the next channel while
 * their deadline allows (at-least-once: the broker may then hold two copies).
 * Writes stop when the socket buffer is full and resume on the channel's
 * `drain`, so a burst is buffered here rather than in the socket.
 */
export class ConfirmPublisher {
  private channel: ConfirmChannel | undefined;
  private writable = true;
  private readonly queue = new Deque<Pending>();
  /** Every unsettled message in submission order (deadlines ascend along it). */
  private readonly byAge = new Deque<Pending>();
  private unsettled = 0;
  private lost: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private opening: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private drainWaiters: Array<() => void> = [];
  private readonly returnable = new Map<string, Pending[]>();
  private closed = false;
  private readonly window: PublishWindow;

  constructor(private readonly options: ConfirmPublisherOptions) {
    options.manager.onConnected((conn) => this.openChannel(conn));
    this.window = new PublishWindow(options.maxInFlight, options.timeoutMs);
  }

  get pending(): number {
    return this.unsettled;
  }

  /**
   * Past `maxInFlight` unconfirmed messages a publish waits for one to settle
   * (core's PublishWindow), so a publisher that does not await cannot grow the
   * client without bound; the wait counts within `timeoutMs`.
   */
  publish(msg: OutgoingMessage): Promise<void> {
    if (this.closed) return Promise.reject(new BusClosedError());
    if (this.window.tryAcquire()) return this.send(msg, Date.now());
    const startedAt = Date.now();
    const { maxInFlight, timeoutMs } = this.options;
    const timedOut = () =>
      new PublishError(
        `not published: ${maxInFlight} messages were awaiting the broker's confirm (maxPublishesInFlight) for the whole ${timeoutMs} ms`,
        details({ msg } as Pending),
      );
    return this.window.acquire(timedOut, 1, performance.now()).then(() => this.send(msg, startedAt));
  }

  private send(msg: OutgoingMessage, startedAt: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const p: Pending = {
        msg,
        deadline: startedAt + this.options.timeoutMs,
        resolve,
        reject,
        settled: false,
        sentOn: undefined,
        returned: false,
      };
      this.queue.push(p);
      this.byAge.push(p);
      this.unsettled++;
      this.armTimer();
      this.flush();
    });
  }

  /** Resolves once every message handed to `publish` is settled (confirmed, rejected or timed out). */
  drain(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Waits for outstanding confirms, then closes the channel. */
  async close(): Promise<void> {
    this.closed = true;
    await this.window.whenEmpty();
    await this.drain();
    clearTimeout(this.retryTimer);
    const ch = this.channel;
    this.channel = undefined;
    if (ch) await closeQuietly(ch);
  }

  // ---- channel ----------------------------------------------------------------

  private async openChannel(conn: ChannelModel): Promise<void> {
    const ch = await conn.createConfirmChannel();
    const { logger, redactor } = this.options;
    ch.on('error', (error: unknown) => {
      logger.warn({ transport: 'rabbitmq', role: 'publish', error: redactor.error(error).message }, 'rabbitmq publish channel error');
    });
    ch.on('close', () => {
      if (this.channel !== ch) return;
      this.channel = undefined;
      this.writable = true;
      // Lost confirms (amqplib fails them just before this) are requeued in a microtask; flush after.
      queueMicrotask(() => this.flush());
    });
    ch.on('return', (message: Message) => this.onReturn(message));
    ch.on('drain', () => {
      if (this.channel !== ch) return;
      this.writable = true;
      this.flush();
    });
    await this.options.prepare(ch);
    this.channel = ch;
    this.writable = true;
    this.flush();
  }

  /** No channel: open one on a live connection, wait for the reconnect loop, or connect once (failing fast). */
  private needChannel(): void {
    if (this.opening || this.queue.length === 0) return;
    const manager = this.options.manager;
    const conn = manager.current;
    if (conn) {
      this.opening = this.openChannel(conn)
        .catch((error: unknown) => {
          // A queue declared with other arguments: fail what waits instead of retrying until it times out.
          if (isHeraldError(error, 'CONFIG')) return this.failQueued(error);
          this.options.logger.warn(
            { transport: 'rabbitmq', role: 'publish', error: this.options.redactor.error(error).message },
            'rabbitmq publish channel could not be opened; retrying',
          );
          clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => this.flush(), 250);
        })
        .finally(() => {
          this.opening = undefined;
        });
    } else if (!manager.isReconnecting) {
      this.opening = manager
        .ensure(this.options.timeoutMs)
        .then(
          () => this.flush(),
          (error: Error) => this.failQueued(error),
        )
        .finally(() => {
          this.opening = undefined;
        });
    }
    // else: the reconnect loop opens a channel through the setup hook, or the deadlines expire.
  }

  // ---- sending ------------------------------------------------------------------

  private flush(): void {
    const ch = this.channel;
    if (!ch) {
      this.needChannel();
      return;
    }
    while (this.writable && this.queue.length > 0) {
      const p = this.queue.shift()!;
      if (p.settled) continue;
      const { exchange, routingKey, content, options, mandatory } = p.msg;
      p.sentOn = ch;
      p.returned = false;
      if (mandatory) this.trackReturn(p);
      let ok: boolean;
      try {
        ok = ch.publish(exchange, routingKey, content, mandatory ? { ...options, mandatory: true } : options, (err: unknown) =>
          this.onConfirm(p, ch, err),
        );
      } catch {
        // The channel is closing: keep the message for the next one.
        p.sentOn = undefined;
        this.untrackReturn(p);
        this.queue.unshift(p);
        if (this.channel === ch) this.channel = undefined;
        queueMicrotask(() => this.flush());
        return;
      }
      if (!ok) {
        this.writable = false;
        return;
      }
    }
  }

  private onConfirm(p: Pending, ch: ConfirmChannel, err: unknown): void {
    if (p.settled || p.sentOn !== ch) return;
    if (err === null || err === undefined) {
      if (p.returned) {
        this.fail(p, new UnroutableError(`unroutable: no queue is bound for routing key "${p.msg.routingKey}" (mandatory)`, details(p)));
      } else {
        this.succeed(p);
      }
      return;
    }
    if (err instanceof Error && err.message === NACKED) {
      this.fail(p, new PublishError('the broker refused the message (nack)', details(p)));
      return;
    }
    // Channel or connection closed before the confirm: write it again on the next channel.
    p.sentOn = undefined;
    this.untrackReturn(p);
    if (this.lost.length === 0) queueMicrotask(() => this.requeueLost());
    this.lost.push(p);
  }

  private requeueLost(): void {
    const lost = this.lost;
    this.lost = [];
    for (let i = lost.length - 1; i >= 0; i--) if (!lost[i]!.settled) this.queue.unshift(lost[i]!);
    this.flush();
  }

  private onReturn(message: Message): void {
    const key = returnKey(message.fields.exchange, message.fields.routingKey, message.properties.messageId);
    const list = this.returnable.get(key);
    const p = list?.find((x) => !x.returned && x.sentOn === this.channel);
    if (p) p.returned = true;
  }

  private trackReturn(p: Pending): void {
    const key = returnKey(p.msg.exchange, p.msg.routingKey, p.msg.options.messageId);
    const list = this.returnable.get(key);
    if (list) list.push(p);
    else this.returnable.set(key, [p]);
  }

  private untrackReturn(p: Pending): void {
    if (!p.msg.mandatory) return;
    const key = returnKey(p.msg.exchange, p.msg.routingKey, p.msg.options.messageId);
    const list = this.returnable.get(key);
    if (!list) return;
    const i = list.indexOf(p);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.returnable.delete(key);
  }

  // ---- settling -------------------------------------------------------------------

  private succeed(p: Pending): void {
    p.settled = true;
    this.untrackReturn(p);
    this.unsettled--;
    this.window.release();
    p.resolve();
    this.settled();
  }

  private fail(p: Pending, error: Error): void {
    p.settled = true;
    this.untrackReturn(p);
    this.unsettled--;
    this.window.release();
    p.reject(error);
    this.settled();
  }

  private settled(): void {
    // Confirms arrive in order, so the settled ones are almost always at the head.
    for (;;) {
      const head = this.byAge.shift();
      if (head === undefined) break;
      if (!head.settled) {
        this.byAge.unshift(head);
        break;
      }
    }
    if (this.unsettled === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  private failQueued(cause: Error): void {
    const queued = this.queue.drain();
    for (const p of queued) {
      if (!p.settled) this.fail(p, new PublishError(`not published: ${cause.message}`, { ...details(p), cause }));
    }
  }

  private armTimer(): void {
    if (this.timer !== undefined || this.unsettled === 0) return;
    const head = this.byAge.shift();
    if (head === undefined) return;
    this.byAge.unshift(head);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expire();
    }, Math.max(0, head.deadline - Date.now()) + 1);
  }

  private expire(): void {
    const now = Date.now();
    for (;;) {
      const head = this.byAge.shift();
      if (head === undefined) break;
      if (head.settled) continue;
      if (head.deadline > now) {
        this.byAge.unshift(head);
        break;
      }
      const reason = this.channel
        ? `not confirmed by the broker within ${this.options.timeoutMs} ms`
        : `not confirmed within ${this.options.timeoutMs} ms: the broker is unreachable`;
      this.fail(head, new PublishError(reason, details(head)));
    }
    this.armTimer();
  }
}

function details(p: Pending): { eventId?: string; eventType?: string } {
  const d: { eventId?: string; eventType?: string } = {};
  if (p.msg.eventId !== undefined) d.eventId = p.msg.eventId;
  if (p.msg.eventType !== undefined) d.eventType = p.msg.eventType;
  return d;
}

function returnKey(exchange: string, routingKey: string, messageId: unknown): string {
  return `${exchange}\u0000${routingKey}\u0000${String(messageId)}`;
}
