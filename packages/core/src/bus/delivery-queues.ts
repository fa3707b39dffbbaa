import { setMaxListeners } from 'node:events';
import { BusClosedError, OverflowError, ValidationError, toError } from '../errors.js';
import type { BaseEvent } from '../events/types.js';
import { eventLogFields, type Logger } from '../logger.js';
import { sleep } from '../retry/sleep.js';
import { CLOSE_OVERRUN_MS, closeReserveMs, raceUntil, stopHandlers } from './close-deadline.js';
import { createDeadLetterRecord } from './dead-letter-record.js';
import { Deque } from './deque.js';
import type { AttemptOutcome, DeliveryOutcome, DispatchPipeline, DispatchTarget } from './dispatch-pipeline.js';
import type { DeadLetterRecord, Subscription } from './types.js';

export interface DeliveryQueuesOptions {
  pipeline: DispatchPipeline;
  /**
   * Stores a dead letter: attempts exhausted, a retry wait cut short with no
   * subscriber left to take the event, or an event still buffered at close.
   * `queue` is where it failed, so a replay can go back there. Resolving
   * `false` means the record was not stored (already counted by the store);
   * during `close` the store must settle by the close deadline.
   */
  deadLetter: (record: DeadLetterRecord, queue: DeliveryQueue) => Promise<unknown>;
  /**
   * Buffered events per queue at which `push` reports the queue as full: the bus's
   * `highWaterMark` with `'buffer'`, its `maxBufferedEvents` with `'shed'`.
   */
  highWaterMark: number;
  /**
   * What `push` does with an event for a full queue: `'buffer'` (default)
   * buffers it anyway and lets the transport slow its source (`waitForSpace`);
   * `'shed'` — for a transport that cannot slow the publisher (Redis pub/sub)
   * — dead-letters it with an OverflowError instead, so memory stays bounded.
   * Shed events are counted (`shed`) and logged once per `overflowLogIntervalMs`.
   */
  overflow?: 'buffer' | 'shed';
  /** Interval of the shed-events log line. Default 10,000 ms. */
  overflowLogIntervalMs?: number;
  /** How long `remove`/`close` wait for handlers before aborting `ctx.signal`. */
  closeTimeoutMs: number;
}

interface Delivery {
  event: BaseEvent;
  attempt: number;
}

/** One consumer of a delivery queue: a subscription with its own concurrency. */
class Member {
  inFlight = 0;
  closed = false;
  onIdle: (() => void) | undefined;
  readonly abort = new AbortController();
  readonly stopRetries = new AbortController();
  constructor(readonly target: DispatchTarget) {
    // Every retry wait and every handler may listen on these signals at once; with
    // concurrency above 10 Node would warn about a leak that is not one.
    setMaxListeners(0, this.abort.signal, this.stopRetries.signal);
  }
  get subscription(): Subscription {
    return this.target.subscription;
  }
}

/**
 * A buffer of events for one ungrouped subscription, or shared by the members
 * of a group. Transports hold it as a handle to `push` events to.
 */
export class DeliveryQueue {
  /** @internal */
  readonly buffer = new Deque<Delivery>();
  /** @internal */
  readonly members: Member[] = [];
  /** @internal */
  spaceWaiters: Array<() => void> = [];
  private next = 0;
  constructor(
    readonly key: string,
    readonly pattern: string,
    readonly group: string | undefined,
  ) {}

  /** Events buffered and not yet started. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** @internal The next member with a free slot, round-robin so group members share the load. */
  pickMember(): Member | undefined {
    const n = this.members.length;
    if (n === 1) {
      const m = this.members[0]!;
      return !m.closed && m.inFlight < m.subscription.concurrency ? m : undefined;
    }
    for (let i = 0; i < n; i++) {
      const m = this.members[(this.next + i) % n]!;
      if (!m.closed && m.inFlight < m.subscription.concurrency) {
        this.next = (this.next + i + 1) % n;
        return m;
      }
    }
    return undefined;
  }
}

const RESOLVED = Promise.resolve();

/**
 * In-process delivery shared by every transport that hands events to local
 * handlers: each subscription (or group) has a FIFO buffer drained by up to
 * `concurrency` handlers through the DispatchPipeline, retries wait in
 * process, and `remove`/`close` are barriers. Transports decide which queues
 * an event goes to and where dead letters are stored.
 */
export class DeliveryQueues {
  private readonly pipeline: DispatchPipeline;
  private readonly logger: Logger;
  private readonly deadLetter: (record: DeadLetterRecord, queue: DeliveryQueue) => Promise<unknown>;
  private readonly highWaterMark: number;
  private readonly closeTimeoutMs: number;
  private readonly shedding: boolean;
  private readonly overflowLogIntervalMs: number;
  /** Events shed since the last log line, and the timer of that interval. */
  private shedSinceLog = 0;
  private shedLogTimer: ReturnType<typeof setTimeout> | undefined;
  /** Events shed (dead-lettered with OverflowError) since the queues were created. */
  shed = 0;
  /** Buffered events that `close` could not dead-letter before its deadline: lost (logged in one line). */
  lostOnClose = 0;
  private closeSummarized = false;
  /** One error for every shed event: its stack says nothing per event, and capturing one costs. */
  private overflowError: OverflowError | undefined;
  private readonly queues = new Map<string, DeliveryQueue>();
  private readonly members = new Map<string, { member: Member; queue: DeliveryQueue }>();
  private closing = false;
  /** Work that `close` waits for besides deliveries (e.g. publishes under way). */
  private pending = 0;
  /** Events buffered or being handled, across all queues. */
  private outstanding = 0;
  private idleWaiters: Array<() => void> = [];
  /** Barriers of subscribers still stopping, by subscription id, so a repeated remove can wait on them. */
  private readonly stopping = new Map<string, Promise<void>>();

  constructor(options: DeliveryQueuesOptions) {
    this.pipeline = options.pipeline;
    this.logger = options.pipeline.logger;
    this.deadLetter = options.deadLetter;
    this.highWaterMark = options.highWaterMark;
    this.closeTimeoutMs = options.closeTimeoutMs;
    this.shedding = options.overflow === 'shed';
    this.overflowLogIntervalMs = options.overflowLogIntervalMs ?? 10_000;
  }

  /**
   * Adds a subscriber. Members of a group share one queue (and must use the
   * same pattern: ValidationError otherwise). `created` tells whether the
   * queue is new, so the transport can start routing to it.
   */
  add(target: DispatchTarget): { queue: DeliveryQueue; created: boolean } {
    const { subscription } = target;
    const key = subscription.group === undefined ? `sub:${subscription.id}` : `group:${subscription.group}`;
    let queue = this.queues.get(key);
    if (queue && queue.pattern !== subscription.pattern) {
      throw new ValidationError(
        'pattern',
        `group "${subscription.group}" already subscribes to "${queue.pattern}"; every member of a group must use the same pattern`,
      );
    }
    const created = queue === undefined;
    if (!queue) {
      queue = new DeliveryQueue(key, subscription.pattern, subscription.group);
      this.queues.set(key, queue);
    }
    const member = new Member(target);
    queue.members.push(member);
    this.members.set(subscription.id, { member, queue });
    this.pump(queue);
    return { queue, created };
  }

  /**
   * Detaches a subscriber at once (no new event reaches it). When it was the
   * last member, the queue is removed and its buffered events are dropped
   * (logged). `stopped` is the barrier: it resolves once the subscriber's
   * handlers have finished or were aborted after the close timeout.
   * Undefined when the subscription is unknown (already removed).
   */
  remove(
    subscription: Subscription,
  ): { queue: DeliveryQueue; queueRemoved: boolean; stopped: Promise<void> } | undefined {
    const entry = this.members.get(subscription?.id);
    if (!entry) return undefined;
    this.members.delete(subscription.id);
    const { member, queue } = entry;
    member.closed = true;
    queue.members.splice(queue.members.indexOf(member), 1);
    const queueRemoved = queue.members.length === 0;
    if (queueRemoved) this.removeQueue(queue);
    else this.pump(queue);
    return { queue, queueRemoved, stopped: this.stopTracked(member) };
  }

  /**
   * The barrier of a subscriber that was already removed (or closed) and is
   * still stopping; undefined once it has stopped. A second `unsubscribe` of
   * the same subscription waits on it, so every call is a barrier.
   */
  whenStopped(subscription: Subscription): Promise<void> | undefined {
    return this.stopping.get(subscription?.id);
  }

  /**
   * Buffers an event for `queue` and starts handlers with free slots. Returns
   * true when the queue's buffer is at or over the high-water mark.
   */
  push(queue: DeliveryQueue, event: BaseEvent): boolean {
    if (this.shedding && queue.buffer.length >= this.highWaterMark) {
      this.shedEvent(queue, event);
      return true;
    }
    this.outstanding++;
    // Fast path: nothing buffered or waiting and a member free: start at once, in order, unbuffered.
    if (queue.buffer.length === 0 && queue.spaceWaiters.length === 0) {
      const member = queue.pickMember();
      if (member !== undefined) {
        member.inFlight++;
        this.run(queue, member, event, 1);
        return this.highWaterMark <= 0;
      }
    }
    queue.buffer.push({ event, attempt: 1 });
    this.pump(queue);
    return queue.buffer.length >= this.highWaterMark;
  }

  /** Resolves once `queue`'s buffer is below the high-water mark again (or the queue is gone). */
  waitForSpace(queue: DeliveryQueue): Promise<void> {
    return new Promise<void>((resolve) => queue.spaceWaiters.push(resolve));
  }

  /** True while `queue` is open (it has subscribers and the queues are not closed). */
  has(queue: DeliveryQueue): boolean {
    return this.queues.get(queue.key) === queue;
  }

  /** The live queue of `pattern` and `group` (first added), if any. */
  find(pattern: string, group: string | undefined): DeliveryQueue | undefined {
    for (const q of this.queues.values()) if (q.pattern === pattern && q.group === group) return q;
    return undefined;
  }

  /** Counts `work` (e.g. a publish under way) as pending until it settles: `close` waits for it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.pending++;
    return work.finally(() => {
      this.pending--;
      this.checkIdle();
    });
  }

  /**
   * Drains buffered events and pending work, stops every subscriber (handlers
   * still running are aborted through `ctx.signal`), and dead-letters what was
   * never attempted, all by one deadline: `deadline` (a `performance.now()`
   * time; default now + closeTimeoutMs). Handlers get until the deadline less
   * `closeReserveMs`; the reserve is for aborted handlers to return and for the
   * dead-letter writes. Records not stored by then are counted in
   * `lostOnClose` and reported in one error line. Returns the queues that were
   * open, for the transport to tear down its routing.
   */
  async close(deadline = performance.now() + this.closeTimeoutMs): Promise<DeliveryQueue[]> {
    this.closing = true;
    const handlersUntil = deadline - closeReserveMs(this.closeTimeoutMs);
    // Drain: let buffered events and pending work finish, until the handlers' share of the deadline.
    await raceUntil(this.whenIdle(), handlersUntil);
    const members = [...this.members.values()];
    this.members.clear();
    for (const { member } of members) member.closed = true;
    // Handlers still running get what is left of their share, then the abort and a grace within the deadline.
    const left = Math.max(0, handlersUntil - performance.now());
    await Promise.all(members.map(({ member }) => this.stopTracked(member, left, deadline)));
    // Whatever is still buffered was never attempted: keep it as dead letters rather than lose it.
    // Handed to the store all at once (not one awaited write per event), so a
    // store that batches writes can (one script per batch on Redis).
    const closedError = new BusClosedError('the bus closed before this event was delivered');
    const queues = [...this.queues.values()];
    let stored = 0;
    const writes: Array<Promise<void>> = [];
    for (const queue of queues) {
      for (const d of queue.buffer.drain()) {
        this.outstanding--;
        const record = createDeadLetterRecord({
          event: d.event,
          error: closedError,
          attempts: d.attempt - 1,
          pattern: queue.pattern,
          group: queue.group,
        });
        writes.push(
          this.deadLetter(record, queue).then(
            (ok) => {
              if (ok !== false) stored++;
            },
            () => undefined, // counted as lost below, in the one summary line
          ),
        );
      }
      for (const w of queue.spaceWaiters) w();
    }
    this.queues.clear();
    if (writes.length > 0) {
      // The store settles by the deadline; the overrun bound only guards against one that does not.
      await raceUntil(Promise.all(writes), deadline + CLOSE_OVERRUN_MS);
      this.lostOnClose += writes.length - stored;
    }
    if (this.lostOnClose > 0) {
        this.logger.error(
        { buffered: writes.length, deadLettered: stored, lost: this.lostOnClose, closeTimeoutMs: this.closeTimeoutMs },
        `${this.lostOnClose} buffered events could not be dead-lettered before closeTimeoutMs; lost`,
      );
    } else if (writes.length > 0) {
      this.logger.warn({ deadLettered: stored }, 'closed with events still buffered; they were dead-lettered');
    }
    this.closeSummarized = true;
    this.flushShedLog();
    return queues;
  }

  // ---- overflow -------------------------------------------------------------

  /** The queue is full and the source cannot be slowed: dead-letter the event, count it, log per interval. */
  private shedEvent(queue: DeliveryQueue, event: BaseEvent): void {
    this.shed++;
    this.shedSinceLog++;
    this.overflowError ??= new OverflowError(this.highWaterMark);
    const record = createDeadLetterRecord({
      event,
      error: this.overflowError,
      attempts: 0,
      pattern: queue.pattern,
      group: queue.group,
    });
    this.deadLetter(record, queue).catch((error: unknown) => this.unexpected(event, error));
    if (this.shedLogTimer === undefined) {
      // The first shed of an interval is logged at once; the rest of it in one line when it ends.
      this.flushShedLog(queue);
      this.shedLogTimer = setTimeout(() => {
        this.shedLogTimer = undefined;
        this.flushShedLog(queue);
      }, this.overflowLogIntervalMs);
      this.shedLogTimer.unref?.();
    }
  }

  private flushShedLog(queue?: DeliveryQueue): void {
    if (this.shedSinceLog === 0) return;
    this.logger.warn(
      { pattern: queue?.pattern, shed: this.shedSinceLog, shedTotal: this.shed, maxBufferedEvents: this.highWaterMark },
      'a subscription is falling behind: events over its maxBufferedEvents were shed into the dead letters (OverflowError)',
    );
    this.shedSinceLog = 0;
  }

  // ---- delivery -------------------------------------------------------------

  private pump(queue: DeliveryQueue): void {
    while (queue.buffer.length > 0) {
      const member = queue.pickMember();
      if (member === undefined) break;
      const delivery = queue.buffer.shift()!;
      member.inFlight++;
      this.run(queue, member, delivery.event, delivery.attempt);
    }
    if (queue.spaceWaiters.length > 0 && queue.buffer.length < this.highWaterMark) {
      const waiters = queue.spaceWaiters;
      queue.spaceWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * One attempt of `event` by `member`, whose slot (inFlight) is held until
   * `settle` has dealt with the outcome. Callback-driven rather than async so
   * a handled event costs one promise hop after its handler, not one per layer.
   */
  private run(queue: DeliveryQueue, member: Member, event: BaseEvent, attempt: number): void {
    this.pipeline.startAttempt(member.target, event, attempt, member.abort.signal, (outcome) =>
      this.settle(queue, member, event, attempt, outcome),
    );
  }

  /** What follows an attempt: the next one after a backoff, a dead letter, or nothing. Never throws. */
  private settle(queue: DeliveryQueue, member: Member, event: BaseEvent, attempt: number, outcome: AttemptOutcome): void {
    try {
      if (outcome.status === 'retry') {
        // A retry wait ends early on remove/close: then a sibling takes the event over, or it is dead-lettered.
        void sleep(outcome.delayMs, member.stopRetries.signal).then((slept) => {
          if (slept) {
            this.run(queue, member, event, attempt + 1);
            return;
          }
          const interrupted = { status: 'interrupted' as const, error: outcome.error, attempt: attempt + 1 };
          this.finishAfter(this.interrupted(queue, member, event, interrupted), queue, member, event);
        });
      } else if (outcome.status === 'dead_letter') {
        this.finishAfter(this.deadLetter(outcome.record, queue), queue, member, event);
      } else {
        this.finish(queue, member);
      }
    } catch (error) {
      this.unexpected(event, error);
      this.finish(queue, member);
    }
  }

  private finishAfter(work: Promise<unknown>, queue: DeliveryQueue, member: Member, event: BaseEvent): void {
    work.then(
      (stored) => {
        if (stored === false && this.closing) this.lostAtClose(event);
        this.finish(queue, member);
      },
      (error: unknown) => {
        this.unexpected(event, error);
        this.finish(queue, member);
      },
    );
  }

  /** The event is settled: free the member's slot and start what is buffered. */
  private finish(queue: DeliveryQueue, member: Member): void {
    member.inFlight--;
    this.outstanding--;
    if (member.inFlight === 0 && member.onIdle) member.onIdle();
    this.pump(queue);
    this.checkIdle();
  }

  /**
   * A handler's dead letter that the store gave up at the close deadline: part
   * of the close summary line, or (a handler that ignored its abort past the
   * deadline) logged on its own once that line is out.
   */
  private lostAtClose(event: BaseEvent): void {
    this.lostOnClose++;
    if (this.closeSummarized) {
      this.logger.error(eventLogFields(event), 'a dead letter could not be stored before closeTimeoutMs; lost');
    }
  }

  private unexpected(event: BaseEvent, error: unknown): void {
    // The pipeline never throws; this guards the transport against its own bugs (or a dead-letter store failing).
    this.logger.error({ ...eventLogFields(event), error: toError(error).message }, 'delivery failed unexpectedly');
  }

  /** A retry wait was cut short by remove/close: hand the event to a sibling, or dead-letter it. */
  private async interrupted(
    queue: DeliveryQueue,
    member: Member,
    event: BaseEvent,
    outcome: Extract<DeliveryOutcome, { status: 'interrupted' }>,
  ): Promise<void> {
    if (!this.closing && queue.members.length > 0 && this.queues.get(queue.key) === queue) {
      queue.buffer.unshift({ event, attempt: outcome.attempt });
      this.outstanding++;
      return;
    }
    const { pattern, group } = member.subscription;
    await this.deadLetter(
      createDeadLetterRecord({ event, error: outcome.error, attempts: outcome.attempt - 1, pattern, group }),
      queue,
    );
  }

  // ---- teardown ---------------------------------------------------------------

  private removeQueue(queue: DeliveryQueue): void {
    this.queues.delete(queue.key);
    const dropped = queue.buffer.drain();
    if (dropped.length > 0) {
      this.outstanding -= dropped.length;
      this.logger.warn(
        { pattern: queue.pattern, group: queue.group, dropped: dropped.length },
        'unsubscribed with events still buffered; they were not delivered',
      );
    }
    for (const w of queue.spaceWaiters) w();
    queue.spaceWaiters = [];
    this.checkIdle();
  }

  /** stopMember, visible to `whenStopped` until it resolves. */
  private stopTracked(member: Member, timeoutMs = this.closeTimeoutMs, graceUntil?: number): Promise<void> {
    const id = member.subscription.id;
    const stopped = this.stopMember(member, timeoutMs, graceUntil);
    this.stopping.set(id, stopped);
    void stopped.then(() => this.stopping.delete(id));
    return stopped;
  }

  /**
   * Waits for a member's handlers: retry waits end now; handlers get `timeoutMs`
   * (closeTimeoutMs, or what is left of it during close), then the abort signal
   * and up to 1 s (never past `graceUntil`, the close deadline) to return.
   */
  private async stopMember(member: Member, timeoutMs: number, graceUntil?: number): Promise<void> {
    member.stopRetries.abort();
    if (member.inFlight === 0) return;
    const idle = new Promise<void>((resolve) => {
      member.onIdle = resolve;
    });
    await stopHandlers(
      {
        idle,
        abort: member.abort,
        inFlight: () => member.inFlight,
        logger: this.logger,
        fields: { pattern: member.subscription.pattern },
        closeTimeoutMs: this.closeTimeoutMs,
      },
      { handlersUntil: performance.now() + timeoutMs, deadline: graceUntil },
    );
  }

  private whenIdle(): Promise<void> {
    if (this.outstanding === 0 && this.pending === 0) return RESOLVED;
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || this.outstanding !== 0 || this.pending !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
