import { PublishError, type Logger, type Redactor } from '@herald/core';
import { Deque } from '@herald/core/transport';
import type { Connection, Delivery, EventContext, Message, Sender } from 'rhea';
import { errorOf, type ConnectionManager } from './connection-manager.js';

interface Pending {
  readonly message: Message;
  readonly eventId: string | undefined;
  readonly eventType: string | undefined;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  delivery: Delivery | undefined;
  done: boolean;
}

export interface PublisherOptions {
  manager: ConnectionManager;
  /** The target address of the sender link. */
  address: string;
  /** Terminus durability: 2 (unsettled-state) for a durable queue the link declares, else 0. */
  durable?: 0 | 2;
  timeoutMs: number;
  logger: Logger;
  redactor: Redactor;
  role: string;
}

/** Pause before attaching a sender the broker detached on its own, so a refused attach does not spin. */
const REATTACH_MS = 200;

/**
 * One sender link that sends unsettled and settles each publish on the
 * broker's outcome: `accepted` resolves; `rejected`, `released`, `modified`,
 * the link or connection going away, or `timeoutMs` reject with PublishError.
 * Messages wait (bounded by `timeoutMs`) while there is no link or no credit,
 * so a publish during a reconnect succeeds if the broker is back in time.
 */
export class UnsettledPublisher {
  private sender: Sender | undefined;
  private readonly queue = new Deque<Pending>();
  private readonly unsettled = new Map<Delivery, Pending>();
  private closed = false;
  private reattach: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: PublisherOptions) {
    options.manager.onOpen((conn) => this.attach(conn));
    options.manager.onLost((error) => this.lost(error));
  }

  get inFlight(): number {
    return this.unsettled.size + this.queue.length;
  }

  publish(message: Message, eventId?: string, eventType?: string): Promise<void> {
    if (this.closed) return Promise.reject(new PublishError('amqp: the publisher is closed', { eventId, eventType }));
    return new Promise<void>((resolve, reject) => {
      const p: Pending = { message, eventId, eventType, resolve, reject, timer: undefined, delivery: undefined, done: false };
      p.timer = setTimeout(() => this.timedOut(p), this.options.timeoutMs);
      this.queue.push(p);
      if (this.sender === undefined) {
        const { manager } = this.options;
        if (!manager.current) manager.start();
        else if (!this.reattach) this.attach(manager.current);
        return;
      }
      this.flush();
    });
  }

  /** Waits (bounded) for every publish under way to settle, then detaches. */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    clearTimeout(this.reattach);
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const sender = this.sender;
    this.sender = undefined;
    this.failAll(new Error('the bus closed before the broker answered'));
    try {
      if (sender?.is_open()) sender.close();
    } catch {
      // the connection is going away with it
    }
  }

  private attach(conn: Connection): void {
    if (this.closed || (this.sender && this.sender.connection === conn && !this.sender.is_closed())) return;
    const { address, durable } = this.options;
    const sender = conn.open_sender({
      target: { address, ...(durable ? { durable } : {}) },
      name: `${this.options.role}-${address}`,
    });
    this.sender = sender;
    sender.on('sendable', () => this.flush());
    sender.on('accepted', (ctx: EventContext) => this.outcome(ctx, undefined));
    sender.on('rejected', (ctx: EventContext) => this.outcome(ctx, 'rejected'));
    sender.on('released', (ctx: EventContext) => this.outcome(ctx, 'released'));
    sender.on('modified', (ctx: EventContext) => this.outcome(ctx, 'modified'));
    sender.on('sender_error', () => undefined);
    sender.on('sender_close', (ctx: EventContext) => this.detached(sender, ctx));
  }

  /** Sends what waits, as far as the link's credit goes. */
  private flush(): void {
    const sender = this.sender;
    while (sender && this.queue.length > 0 && sender.sendable()) {
      const p = this.queue.shift()!;
      if (p.done) continue;
      const delivery = sender.send(p.message);
      p.delivery = delivery;
      this.unsettled.set(delivery, p);
    }
  }

  private outcome(ctx: EventContext, failed: 'rejected' | 'released' | 'modified' | undefined): void {
    const delivery = ctx.delivery;
    if (!delivery) return;
    const p = this.unsettled.get(delivery);
    if (!p) return;
    this.unsettled.delete(delivery);
    if (failed === undefined) this.settle(p);
    else {
      const why = errorOf(ctx);
      this.settle(p, new Error(`the broker answered "${failed}"${why ? `: ${why.message}` : ''}`));
    }
  }

  /** The broker detached the link (e.g. its target went away): what it had not answered fails, then attach again. */
  private detached(sender: Sender, ctx: EventContext): void {
    if (this.sender !== sender) return;
    this.sender = undefined;
    const error = this.options.redactor.error(errorOf(ctx) ?? new Error('the broker detached the sender link'));
    this.options.logger.warn({ transport: 'amqp', address: this.options.address, error: error.message }, 'amqp: sender link detached');
    this.failUnsettled(error);
    if (this.closed) return;
    this.reattach = setTimeout(() => {
      this.reattach = undefined;
      const conn = this.options.manager.current;
      if (conn && !this.closed) this.attach(conn);
    }, REATTACH_MS);
  }

  private lost(error: Error): void {
    this.sender = undefined;
    clearTimeout(this.reattach);
    this.reattach = undefined;
    this.failUnsettled(new Error(`the connection was lost before the broker answered (${error.message})`));
  }

  /** Sent but not answered: the outcome will never come, so the caller decides whether to send again. */
  private failUnsettled(error: Error): void {
    const pending = [...this.unsettled.values()];
    this.unsettled.clear();
    for (const p of pending) this.settle(p, error);
  }

  private failAll(error: Error): void {
    this.failUnsettled(error);
    while (this.queue.length > 0) this.settle(this.queue.shift()!, error);
  }

  private timedOut(p: Pending): void {
    if (p.done) return;
    if (p.delivery) this.unsettled.delete(p.delivery);
    this.settle(p, new Error(`no outcome from the broker within ${this.options.timeoutMs} ms`));
  }

  private settle(p: Pending, error?: Error): void {
    if (p.done) return;
    p.done = true;
    clearTimeout(p.timer);
    if (error === undefined) p.resolve();
    else {
      p.reject(
        new PublishError(`amqp: event ${p.eventType ?? ''} ${p.eventId ?? ''} not accepted: ${error.message}`.replace(/ +/g, ' '), {
          eventId: p.eventId,
          eventType: p.eventType,
          cause: error,
        }),
      );
    }
    if (this.idleWaiters.length > 0 && this.unsettled.size === 0 && this.queue.length === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}
