import { BusClosedError, ValidationError, toError } from '../errors.js';
import type { BaseEvent } from '../events/types.js';
import { validateEvent } from '../events/validate.js';
import { eventLogFields, type Logger } from '../logger.js';
import { RouteTable } from '../pattern/route-table.js';
import { sleep } from '../retry/sleep.js';
import { ConnectionStateEmitter } from './connection-state.js';
import { createDeadLetterRecord } from './dead-letter-record.js';
import { createDeadLetters, InMemoryDeadLetterStore } from './dead-letters.js';
import { Deque } from './deque.js';
import {
  DispatchPipeline,
  type DeliveryOutcome,
  type DispatchPipelineOptions,
  type DispatchTarget,
} from './dispatch-pipeline.js';
import type { PublishFn } from './middleware.js';
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

export interface InMemoryEventBusOptions extends Omit<DispatchPipelineOptions, 'codec'> {
  /** Events buffered per subscription before `publish` waits for the handler to catch up. Default 10,000. */
  highWaterMark?: number;
  /** How long close/unsubscribe wait for handlers before aborting `ctx.signal`. Default 10 s. */
  closeTimeoutMs?: number;
  /** Dead letters kept in memory (oldest dropped beyond). Default 10,000. */
  maxDeadLetters?: number;
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
  constructor(readonly target: DispatchTarget) {}
  get subscription(): Subscription {
    return this.target.subscription;
  }
}

/** A buffer of events for one ungrouped subscription, or shared by the members of a group. */
class DeliveryQueue {
  readonly buffer = new Deque<Delivery>();
  readonly members: Member[] = [];
  spaceWaiters: Array<() => void> = [];
  private next = 0;
  constructor(
    readonly key: string,
    readonly pattern: string,
    readonly group: string | undefined,
  ) {}

  /** The next member with a free slot, round-robin so group members share the load. */
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
  private readonly routes = new RouteTable<DeliveryQueue>();
  private readonly queues = new Map<string, DeliveryQueue>();
  private readonly members = new Map<string, { member: Member; queue: DeliveryQueue }>();
  private readonly deadLetterStore: InMemoryDeadLetterStore;
  private readonly connection: ConnectionStateEmitter;
  private readonly highWaterMark: number;
  private readonly closeTimeoutMs: number;
  private closing: Promise<void> | undefined;
  private pendingPublishes = 0;
  /** Events buffered or being handled, across all queues. */
  private outstanding = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(options: InMemoryEventBusOptions = {}) {
    this.pipeline = new DispatchPipeline(options);
    this.logger = this.pipeline.logger;
    this.highWaterMark = positiveInt(options.highWaterMark ?? 10_000, 'highWaterMark');
    this.closeTimeoutMs = positiveInt(options.closeTimeoutMs ?? 10_000, 'closeTimeoutMs');
    this.deadLetterStore = new InMemoryDeadLetterStore(
      positiveInt(options.maxDeadLetters ?? 10_000, 'maxDeadLetters'),
      (dropped) => this.logger.error({ deadLetterId: dropped.id }, 'dead-letter store full; oldest record dropped'),
    );
    this.deadLetters = createDeadLetters(this.deadLetterStore, (record) => this.redeliver(record));
    this.send = this.pipeline.composePublish((event) => this.route(event));
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
    let sent: Promise<void>;
    try {
      sent = this.send(event);
    } catch (error) {
      return Promise.reject(error);
    }
    if (sent === RESOLVED) return sent;
    this.pendingPublishes++;
    return sent.finally(() => {
      this.pendingPublishes--;
      this.checkIdle();
    });
  }

  async publishAll(events: BaseEvent[]): Promise<void> {
    if (!Array.isArray(events)) throw new ValidationError('events', 'must be an array');
    events.forEach((e, i) => {
      try {
        validateEvent(e);
      } catch (error) {
        throw new ValidationError(`events[${i}].${(error as ValidationError).field}`, (error as Error).message);
      }
    });
    for (const event of events) await this.publish(event);
  }

  async subscribe<T extends BaseEvent = BaseEvent>(
    pattern: string,
    handler: EventHandler<T> | HandlerFunction<T>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    if (this.closing) throw new BusClosedError();
    const target = this.pipeline.createTarget(pattern, handler, options);
    const { subscription } = target;
    const key = subscription.group === undefined ? `sub:${subscription.id}` : `group:${subscription.group}`;
    let queue = this.queues.get(key);
    if (queue && queue.pattern !== pattern) {
      throw new ValidationError(
        'pattern',
        `group "${subscription.group}" already subscribes to "${queue.pattern}"; every member of a group must use the same pattern`,
      );
    }
    if (!queue) {
      queue = new DeliveryQueue(key, pattern, subscription.group);
      this.queues.set(key, queue);
      this.routes.add(pattern, queue);
    }
    const member = new Member(target);
    queue.members.push(member);
    this.members.set(subscription.id, { member, queue });
    this.pump(queue);
    return subscription;
  }

  async unsubscribe(subscription: Subscription): Promise<void> {
    const entry = this.members.get(subscription?.id);
    if (!entry) return;
    this.members.delete(subscription.id);
    const { member, queue } = entry;
    member.closed = true;
    queue.members.splice(queue.members.indexOf(member), 1);
    if (queue.members.length === 0) this.removeQueue(queue);
    else this.pump(queue);
    await this.stopMember(member);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ---- delivery -------------------------------------------------------------

  private route(event: BaseEvent): Promise<void> {
    const queues = this.routes.match(event.type);
    let waits: Promise<void>[] | undefined;
    for (let i = 0; i < queues.length; i++) {
      const queue = queues[i]!;
      queue.buffer.push({ event, attempt: 1 });
      this.outstanding++;
      this.pump(queue);
      if (queue.buffer.length >= this.highWaterMark) {
        waits ??= [];
        waits.push(new Promise<void>((resolve) => queue.spaceWaiters.push(resolve)));
      }
    }
    if (waits === undefined) return RESOLVED;
    return Promise.all(waits).then(() => undefined);
  }

  private pump(queue: DeliveryQueue): void {
    while (queue.buffer.length > 0) {
      const member = queue.pickMember();
      if (member === undefined) break;
      const delivery = queue.buffer.shift()!;
      member.inFlight++;
      void this.run(queue, member, delivery);
    }
    if (queue.spaceWaiters.length > 0 && queue.buffer.length < this.highWaterMark) {
      const waiters = queue.spaceWaiters;
      queue.spaceWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async run(queue: DeliveryQueue, member: Member, delivery: Delivery): Promise<void> {
    try {
      const outcome = await this.pipeline.deliver(
        member.target,
        delivery.event,
        member.abort.signal,
        member.stopRetries.signal,
        delivery.attempt,
      );
      if (outcome.status === 'dead_letter') await this.deadLetterStore.add(outcome.record);
      else if (outcome.status === 'interrupted') await this.interrupted(queue, member, delivery.event, outcome);
    } catch (error) {
      // The pipeline never throws; this guards the bus against its own bugs.
      this.logger.error({ ...eventLogFields(delivery.event), error: toError(error).message }, 'delivery failed unexpectedly');
    } finally {
      member.inFlight--;
      this.outstanding--;
      if (member.inFlight === 0 && member.onIdle) member.onIdle();
      this.pump(queue);
      this.checkIdle();
    }
  }

  /** A retry wait was cut short by unsubscribe/close: hand the event to a sibling, or dead-letter it. */
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
    await this.deadLetterStore.add(
      createDeadLetterRecord({ event, error: outcome.error, attempts: outcome.attempt - 1, pattern, group }),
    );
  }

  private async redeliver(record: DeadLetterRecord): Promise<void> {
    if (this.closing) throw new BusClosedError();
    const event = record.event!;
    const queue = [...this.queues.values()].find(
      (q) => q.pattern === record.pattern && q.group === record.group,
    );
    if (!queue) {
      // The subscription that failed is gone: publish again so current subscribers see it.
      await this.publish(event);
      return;
    }
    queue.buffer.push({ event, attempt: 1 });
    this.outstanding++;
    this.pump(queue);
  }

  // ---- teardown ---------------------------------------------------------------

  private removeQueue(queue: DeliveryQueue): void {
    this.routes.remove(queue.pattern, queue);
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

  /** Waits for a member's handlers: retry waits end now; handlers get closeTimeoutMs, then the abort signal. */
  private async stopMember(member: Member): Promise<void> {
    member.stopRetries.abort();
    if (member.inFlight === 0) return;
    const idle = new Promise<void>((resolve) => {
      member.onIdle = resolve;
    });
    const timedOut = new AbortController();
    const finished = await Promise.race([
      idle.then(() => true),
      sleep(this.closeTimeoutMs, timedOut.signal).then(() => false),
    ]);
    timedOut.abort();
    if (finished) return;
    this.logger.warn(
      { pattern: member.subscription.pattern, inFlight: member.inFlight, timeoutMs: this.closeTimeoutMs },
      'handlers still running after the close timeout; aborting ctx.signal',
    );
    member.abort.abort(new BusClosedError('handler aborted: close timeout elapsed'));
    await Promise.race([idle, sleep(1_000)]);
  }

  private async shutdown(): Promise<void> {
    // Drain: let buffered events and pending publishes finish, within the close timeout.
    const idle = this.whenIdle();
    const timer = new AbortController();
    await Promise.race([idle, sleep(this.closeTimeoutMs, timer.signal)]);
    timer.abort();
    const members = [...this.members.values()];
    this.members.clear();
    for (const { member } of members) member.closed = true;
    await Promise.all(members.map(({ member }) => this.stopMember(member)));
    // Whatever is still buffered was never attempted: keep it as dead letters rather than lose it.
    const closedError = new BusClosedError('the bus closed before this event was delivered');
    for (const queue of this.queues.values()) {
      for (const d of queue.buffer.drain()) {
        this.outstanding--;
        await this.deadLetterStore.add(
          createDeadLetterRecord({
            event: d.event,
            error: closedError,
            attempts: d.attempt - 1,
            pattern: queue.pattern,
            group: queue.group,
          }),
        );
      }
      for (const w of queue.spaceWaiters) w();
      this.routes.remove(queue.pattern, queue);
    }
    this.queues.clear();
    this.connection.set('closed');
  }

  private whenIdle(): Promise<void> {
    if (this.outstanding === 0 && this.pendingPublishes === 0) return RESOLVED;
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || this.outstanding !== 0 || this.pendingPublishes !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function positiveInt(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new ValidationError(field, 'must be an integer ≥ 1');
  return value;
}
