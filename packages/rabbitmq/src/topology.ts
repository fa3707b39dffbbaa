import type { Channel } from 'amqplib';
import { HEADERS } from './message.js';
import type { QueueType } from './options.js';
import { assertQueueChecked, delayQueueOptions, durableQueueOptions } from './queue-arguments.js';

/** How long an unused delay queue lives beyond its TTL before the broker removes it. */
const DELAY_QUEUE_IDLE_MS = 60 * 60 * 1000;

export interface SubscriptionQueueSpec {
  queue: string;
  pattern: string;
  group: string | undefined;
}

/**
 * The names and declarations of everything the bus puts on the broker:
 *
 *   publish ─► ${exchange} (topic, durable) ── binding = pattern ──► ${prefix}${group}   (durable; queueType)
 *                                            └────────────────────► ${prefix}sub.${id}  (exclusive, auto-delete)
 *   retry   ─► ${prefix}retry (headers) ── herald-delay=ms ─► ${prefix}retry.${ms}ms (TTL ms; dead-letters to "" with the
 *                                                               original routing key = the subscription queue)
 *   dead    ─► ${prefix}dead-letter (topic) ── "#" ──► ${prefix}dead-letters  (durable; queueType)
 *              (the bus's deadLetterRoute.exchange) ── its routingKey ──┘
 *
 * Declarations are idempotent, so every (re)connect simply declares again. The
 * durable queues' arguments come from queue-arguments.ts; a queue that exists
 * with others fails with QueueArgumentsMismatchError.
 */
export class Topology {
  readonly deadLetterExchange: string;
  readonly deadLetterQueue: string;
  readonly delayExchange: string;
  private readonly exchanges = new Set<string>();
  private readonly queues = new Set<string>();

  constructor(
    readonly exchange: string,
    readonly prefix: string,
    readonly queueType: QueueType,
  ) {
    this.deadLetterExchange = `${prefix}dead-letter`;
    this.deadLetterQueue = `${prefix}dead-letters`;
    this.delayExchange = `${prefix}retry`;
  }

  groupQueue(group: string): string {
    return `${this.prefix}${group}`;
  }

  subscriptionQueue(id: string): string {
    return `${this.prefix}sub.${id}`;
  }

  delayQueue(ms: number): string {
    return `${this.prefix}retry.${ms}ms`;
  }

  /** The event exchange, the dead-letter exchange and queue, and the delay exchange. */
  async declareShared(ch: Channel): Promise<void> {
    await ch.assertExchange(this.exchange, 'topic', { durable: true });
    await ch.assertExchange(this.deadLetterExchange, 'topic', { durable: true });
    await assertQueueChecked(ch, this.deadLetterQueue, durableQueueOptions(this.queueType));
    await ch.bindQueue(this.deadLetterQueue, this.deadLetterExchange, '#');
    await ch.assertExchange(this.delayExchange, 'headers', { durable: true });
    this.exchanges.add(this.exchange).add(this.deadLetterExchange).add(this.delayExchange);
    this.queues.add(this.deadLetterQueue);
  }

  /**
   * A retry strategy's own dead-letter exchange routes to our dead-letter queue
   * too: one more binding, nothing else of that exchange touched.
   */
  async bindDeadLetterQueue(ch: Channel, exchange: string, routingKey: string): Promise<void> {
    await ch.assertQueue(this.deadLetterQueue, { durable: true });
    await ch.bindQueue(this.deadLetterQueue, exchange, routingKey);
  }

  /** A group's durable queue or an ungrouped subscription's exclusive one, bound to the event exchange by its pattern. */
  async declareSubscriptionQueue(ch: Channel, spec: SubscriptionQueueSpec): Promise<void> {
    await ch.assertExchange(this.exchange, 'topic', { durable: true });
    if (spec.group !== undefined) {
      await assertQueueChecked(ch, spec.queue, durableQueueOptions(this.queueType));
    } else {
      await ch.assertQueue(spec.queue, { durable: false, exclusive: true, autoDelete: true });
    }
    await ch.bindQueue(spec.queue, this.exchange, spec.pattern);
    this.exchanges.add(this.exchange);
    this.queues.add(spec.queue);
  }

  /**
   * The queue holding retries due in `ms`: every message in it has the same
   * TTL, so none waits behind a longer one. Expired messages dead-letter to the
   * default exchange with their routing key, which is the subscription queue.
   */
  async declareDelayQueue(ch: Channel, ms: number): Promise<void> {
    const queue = this.delayQueue(ms);
    await assertQueueChecked(ch, queue, delayQueueOptions(this.queueType, ms, DELAY_QUEUE_IDLE_MS));
    await ch.bindQueue(queue, this.delayExchange, '', { 'x-match': 'all', [HEADERS.delay]: String(ms) });
    this.queues.add(queue);
  }

  /** Everything this bus declared so far, for operators and for tests that clean up. */
  declared(): { exchanges: string[]; queues: string[] } {
    return { exchanges: [...this.exchanges], queues: [...this.queues] };
  }
}
