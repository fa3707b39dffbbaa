import {
  sleep,
  TimeoutError,
  type DeadLetterRecord,
  type Logger,
  type Redactor,
  type Subscription,
} from '@herald/core';
import { HandlerSlots, unsubscribeDeadline, type HandlerDeadline } from '@herald/core/transport';
import type { DispatchPipeline, DispatchTarget } from '@herald/core/transport';
import type { Connection, Delivery, EventContext, Receiver } from 'rhea';
import { errorOf, type ConnectionManager } from './connection-manager.js';
import { bodyOf } from './message.js';

export interface ConsumerDeps {
  pipeline: DispatchPipeline;
  manager: ConnectionManager;
  /** Stores a dead letter on the broker; rejects when the broker did not accept it. */
  deadLetter(record: DeadLetterRecord): Promise<void>;
  logger: Logger;
  redactor: Redactor;
  closeTimeoutMs: number;
  attachTimeoutMs: number;
}

/** Pause before attaching a receiver again after the broker detached it, and before giving back a delivery whose dead letter could not be stored. */
const PAUSE_MS = 200;

/**
 * One subscription's receiver link. Credit is the flow control: the link
 * never holds more than `concurrency` deliveries (handled or waiting), so
 * nothing piles up in the process. Each delivery goes through core's
 * pipeline (decode, filter, middleware, handler, retries with backoff, the
 * errorHandler and the dead-letter record); it is accepted only once that
 * settled — after a dead letter only once the broker accepted the record —
 * and a delivery never accepted goes back to the broker with its link.
 */
export class SubscriptionReceiver {
  private receiver: Receiver | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private reattach: NodeJS.Timeout | undefined;
  /** Running handlers: their count, their ctx.signal, and the wait for them at stop. */
  private readonly handlers = new HandlerSlots();

  constructor(
    readonly target: DispatchTarget,
    /** The source address of the link. */
    readonly address: string,
    private readonly deps: ConsumerDeps,
  ) {
    deps.manager.onOpen((conn) => {
      if (!this.stopped) void this.attach(conn).catch(() => undefined);
    });
    deps.manager.onLost(() => {
      this.receiver = undefined;
    });
  }

  get subscription(): Subscription {
    return this.target.subscription;
  }

  /** Attaches on `conn`; resolves when the broker confirmed the attach (subscribe waits for it). */
  attach(conn: Connection): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.receiver && this.receiver.connection === conn && !this.receiver.is_closed()) return Promise.resolve();
    const receiver = conn.open_receiver({
      source: { address: this.address },
      name: `herald-${this.subscription.id}`,
      credit_window: 0,
      autoaccept: false,
    });
    this.receiver = receiver;
    receiver.on('message', (ctx: EventContext) => this.onMessage(receiver, ctx));
    receiver.on('receiver_error', () => undefined);
    return new Promise<void>((resolve, reject) => {
      let attached = false;
      const timer = setTimeout(() => {
        if (!attached) reject(new TimeoutError(`amqp: the broker did not attach ${this.address} within ${this.deps.attachTimeoutMs} ms`));
      }, this.deps.attachTimeoutMs);
      receiver.once('receiver_open', () => {
        attached = true;
        clearTimeout(timer);
        this.refill();
        resolve();
      });
      receiver.on('receiver_close', (ctx: EventContext) => {
        clearTimeout(timer);
        const error = this.deps.redactor.error(errorOf(ctx) ?? new Error('the broker detached the receiver link'));
        if (!attached) reject(error);
        this.detached(receiver, error);
      });
    });
  }

  /** Stops taking deliveries, waits for running handlers (then aborts them), detaches. Idempotent. */
  stop(until: HandlerDeadline = unsubscribeDeadline(this.deps.closeTimeoutMs)): Promise<void> {
    this.stopping ??= this.shutdown(until);
    return this.stopping;
  }

  private detached(receiver: Receiver, error: Error): void {
    if (this.receiver !== receiver) return;
    this.receiver = undefined;
    if (this.stopped) return;
    this.deps.logger.warn({ ...this.fields(), error: error.message }, 'amqp: receiver link detached by the broker; attaching again');
    clearTimeout(this.reattach);
    this.reattach = setTimeout(() => {
      this.reattach = undefined;
      const conn = this.deps.manager.current;
      if (conn && !this.stopped) void this.attach(conn).catch(() => undefined);
    }, PAUSE_MS);
  }

  /** Gives the link credit up to `concurrency` deliveries held (running or not). */
  private refill(): void {
    const receiver = this.receiver;
    if (!receiver || this.stopped || !receiver.is_open()) return;
    const want = this.subscription.concurrency - this.handlers.inFlight - creditOf(receiver);
    if (want > 0) receiver.add_credit(want);
  }

  private onMessage(receiver: Receiver, ctx: EventContext): void {
    const delivery = ctx.delivery!;
    if (this.stopped || receiver !== this.receiver) {
      release(delivery);
      return;
    }
    this.handlers.take();
    const { pipeline } = this.deps;
    const { pattern, group } = this.subscription;
    const decoded = pipeline.decode(bodyOf(ctx.message!), { pattern, group });
    if (decoded.deadLetter !== undefined) {
      // Undecodable: straight to the dead letters, never to a handler, never redelivered.
      this.storeThenAccept(delivery, decoded.deadLetter);
      return;
    }
    void pipeline.deliver(this.target, decoded.event, this.handlers.abort.signal).then((outcome) => {
      if (outcome.status === 'dead_letter') this.storeThenAccept(delivery, outcome.record);
      else if (outcome.status === 'interrupted') this.finish(delivery, false);
      // success, filtered, or failed with dead-lettering off (core logged it): settled.
      else this.finish(delivery, true);
    });
  }

  private storeThenAccept(delivery: Delivery, record: DeadLetterRecord): void {
    this.deps.deadLetter(record).then(
      () => this.finish(delivery, true),
      (error: unknown) => {
        this.deps.logger.warn(
          { ...this.fields(), deadLetterId: record.id, error: this.deps.redactor.error(error).message },
          'amqp: dead letter not stored; giving the delivery back to the broker',
        );
        void sleep(PAUSE_MS).then(() => this.finish(delivery, false));
      },
    );
  }

  /** Accepts or releases on the link that delivered it (a link that is gone already gave it back), then tops up credit. */
  private finish(delivery: Delivery, ok: boolean): void {
    if (ok) accept(delivery);
    else release(delivery);
    this.handlers.release();
    this.refill();
  }

  private async shutdown(until: HandlerDeadline): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reattach);
    const receiver = this.receiver;
    this.receiver = undefined;
    // Detach first: the broker stops sending (a delivery released to a link that still has
    // credit would come straight back). Deliveries being handled are settled on the session
    // afterwards, which works on a detached link.
    const detached = receiver?.is_open() ? detach(receiver, this.deps.attachTimeoutMs) : Promise.resolve();
    await this.handlers.stop(until, { logger: this.deps.logger, fields: this.fields(), closeTimeoutMs: this.deps.closeTimeoutMs });
    await detached;
  }


  private fields() {
    const s = this.subscription;
    return { transport: 'amqp', address: this.address, pattern: s.pattern, group: s.group, subscriptionId: s.id };
  }
}

function settle(delivery: Delivery, how: (d: Delivery) => void): void {
  // Deliveries are settled on the session, so a detached link's still can be; on a connection
  // that went away they cannot, and the broker already took them back.
  if (delivery.settled || !delivery.link.connection.is_open()) return;
  try {
    how(delivery);
  } catch {
    // as above
  }
}

/** Detaches and waits (bounded) for the broker's answer. */
export function detach(receiver: Receiver, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!receiver.is_open()) {
      resolve();
      return;
    }
    const timer = setTimeout(resolve, timeoutMs);
    receiver.once('receiver_close', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      receiver.close();
    } catch {
      // its connection is gone; so is the link
      clearTimeout(timer);
      resolve();
    }
  });
}

/** Done with: the broker removes it. */
export function accept(delivery: Delivery): void {
  settle(delivery, (d) => d.accept());
}

/** Back to the broker (`released`: not counted as a failed delivery). */
export function release(delivery: Delivery): void {
  settle(delivery, (d) => d.release());
}

/** Credit the link has outstanding (rhea keeps it on the link; its typings do not declare it). */
function creditOf(receiver: Receiver): number {
  return (receiver as unknown as { credit: number }).credit;
}
