import { randomUUID } from 'node:crypto';
import {
  PublishError,
  type BaseEvent,
  type DeadLetterRecord,
  type DeadLetters,
  type EventCodec,
  type Logger,
  type RetryStrategy,
} from '@herald/core';
import { replayDeadLetter, validateDeadLetterId, validateDeadLetterLimit } from '@herald/core/transport';
import type { Message, MessageProperties } from 'amqplib';
import type { AdminChannels } from './admin-channel.js';
import { UnroutableError, type ConfirmPublisher } from './confirm-publisher.js';
import { KEPT, sweepQueue } from './dead-letter-sweep.js';
import { copyProperties, deadLetterHeaders, HEADERS, headerString, sameProperties } from './message.js';
import type { DeadLetterRoute } from './options.js';
import type { Topology } from './topology.js';

export interface DeadLetterSource {
  /** The delivered bytes, stored as they came (undecodable ones included). */
  content: Buffer;
  properties: MessageProperties | undefined;
  /** The subscription queue it failed in; replay sends it back there. */
  queue: string;
  /** Its deprecated `deadLetter.exchange` / `routingKey`, when given, choose the destination over the bus's `deadLetterRoute`. */
  strategy?: RetryStrategy | undefined;
}

/**
 * Dead letters kept on the broker: records are messages in the dead-letter
 * queue (the original bytes, the error, attempts, pattern, group, queue and
 * time in headers), so they survive restarts and other tools can read them.
 *
 * `bus.deadLetters` is implemented here directly rather than through core's
 * `createDeadLetters(store)`: that replays by `take` (remove) and then
 * redelivers, which loses the record if the process dies between the two.
 * A queue can do better — the message stays unacknowledged while its replay is
 * published and confirmed, and is acked only then; a crash in between leaves
 * it in the queue (at worst replayed twice, never lost). The observable
 * contract is core's, and so are the argument checks and the rule for each
 * record (`replayDeadLetter`): `list(limit?)` oldest first, `replay(id |
 * 'all')` returns how many were replayed and leaves undecodable records,
 * `purge()` returns how many were removed.
 *
 * `list` and `replay` walk the whole queue once (`sweepQueue`): each record is
 * either copied to the tail (kept, so the order is unchanged after a full
 * walk) or replayed, and acked once that copy is confirmed. Every record is
 * ready again the moment the call returns. Two copies of one record (left by
 * a walk interrupted between a copy and its ack) are merged: the second is
 * dropped.
 */
export class DeadLetterQueue implements DeadLetters {
  private exclusive: Promise<unknown> = Promise.resolve();
  /** Custom dead-letter routes (`exchange\0routingKey`) declared and bound to our queue. */
  private readonly routes = new Map<string, Promise<void>>();

  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly topology: Topology,
    private readonly admin: AdminChannels,
    private readonly codec: EventCodec,
    private readonly logger: Logger,
    /** The bus's `deadLetterRoute`; none: the bus's own dead-letter exchange. */
    private readonly route: DeadLetterRoute | undefined = undefined,
  ) {}

  /**
   * Stores a record made by core's pipeline; resolves once the broker confirmed it.
   * A strategy's own `deadLetter.exchange` is declared when missing (durable
   * topic) and our dead-letter queue is bound to it with the routing key, so
   * `list`/`replay`/`purge` see those records; a dead letter it routes nowhere
   * all the same (mandatory, returned) comes to our own exchange, with a warning.
   */
  async add(record: DeadLetterRecord, source: DeadLetterSource): Promise<void> {
    const own = record.event?.type ?? 'undecodable';
    const custom = routeOf(source.strategy, this.route);
    const options = copyProperties(source.properties, deadLetterHeaders(record, source.queue));
    options.messageId ??= record.event?.id ?? record.id;
    const send = (exchange: string, routingKey: string) =>
      this.publisher.publish({
        exchange,
        routingKey,
        content: source.content,
        options,
        mandatory: true,
        eventId: record.event?.id,
        eventType: record.event?.type,
      });
    if (custom?.exchange !== undefined) {
      const routingKey = custom.routingKey ?? own;
      try {
        await this.ensureRoute(custom.exchange, routingKey);
        await send(custom.exchange, routingKey);
        return;
      } catch (error) {
        this.routes.delete(routeKey(custom.exchange, routingKey)); // declared and bound again next time
        this.logger.warn(
          { transport: 'rabbitmq', exchange: custom.exchange, routingKey, queue: this.topology.deadLetterQueue, error: (error as Error).message },
          "dead letter not accepted by the strategy's dead-letter exchange; storing it in the bus's own dead-letter queue",
        );
      }
    }
    const routingKey = custom?.exchange === undefined ? (custom?.routingKey ?? own) : own;
    try {
      await send(this.topology.deadLetterExchange, routingKey);
    } catch (error) {
      if (!(error instanceof UnroutableError)) throw error;
      this.logger.warn({ transport: 'rabbitmq', queue: this.topology.deadLetterQueue }, 'dead-letter queue missing; declaring it again');
      await this.admin.with((ch) => this.topology.declareShared(ch));
      await send(this.topology.deadLetterExchange, routingKey);
    }
  }

  async list(limit?: number): Promise<DeadLetterRecord[]> {
    // A bad argument is a rejected promise, like every other failure here (as in core's createDeadLetters).
    validateDeadLetterLimit(limit);
    if (limit === 0) return [];
    return this.serial(() =>
      this.admin.with(async (ch) => {
        const found: Message[] = [];
        const mark = randomUUID();
        const seen = new Set<string>();
        // The whole queue, every record copied to the tail: the order is the same afterwards.
        const { failures } = await sweepQueue(ch, this.topology.deadLetterQueue, mark, (msg) => {
          if (this.isDuplicate(msg, seen)) return RESOLVED;
          found.push(msg);
          return this.keep(msg, mark);
        });
        // Oldest first by failure time (stable: queue order breaks ties). Dead letters stored while
        // a walk is under way land between its copies, so queue order alone is not enough.
        const byAge = found.map((msg, i) => ({ msg, i, at: failedAtOf(msg) }));
        byAge.sort((x, y) => x.at - y.at || x.i - y.i);
        const records = byAge.slice(0, limit ?? byAge.length).map(({ msg }) => this.toRecord(msg).record);
        if (failures.length > 0) {
          this.logger.warn(
            { transport: 'rabbitmq', queue: this.topology.deadLetterQueue, left: failures.length, error: (failures[0] as Error).message },
            'dead letters listed; some stayed in place instead of being copied to the tail',
          );
        }
        return records;
      }),
    );
  }

  async replay(id: string | 'all'): Promise<number> {
    validateDeadLetterId(id);
    return this.serial(() =>
      this.admin.with(async (ch) => {
        const mark = randomUUID();
        const seen = new Set<string>();
        let replayed = 0;
        // Only what is there now: records that fail again during the replay wait for the next one.
        const { failures } = await sweepQueue(ch, this.topology.deadLetterQueue, mark, (msg) => {
          if (this.isDuplicate(msg, seen)) return RESOLVED;
          if (id !== 'all' && recordId(msg) !== id) return this.keep(msg, mark);
          // Core's rule for each record (undecodable ones stay); a failed redelivery leaves it in place.
          return replayDeadLetter(this.toRecord(msg).record, (record) => this.redeliver(msg, record.event!, record.id)).then(
            (done) => (done ? void replayed++ : this.keep(msg, mark)),
          );
        });
        if (failures.length > 0) {
          const first = failures[0] as Error;
          throw new PublishError(
            `${replayed} dead letters replayed; ${failures.length} could not be and stay in the queue: ${first.message}`,
            { cause: first },
          );
        }
        this.logger.info({ transport: 'rabbitmq', replayed, id }, 'dead letters replayed');
        return replayed;
      }),
    );
  }

  async purge(): Promise<number> {
    return this.serial(() =>
      this.admin.with(async (ch) => (await ch.purgeQueue(this.topology.deadLetterQueue)).messageCount),
    );
  }

  /** A second copy of a record already met in this walk (left by an interrupted one): dropped. */
  private isDuplicate(msg: Message, seen: Set<string>): boolean {
    const id = headerString(msg.properties.headers, HEADERS.deadLetterId);
    if (id === undefined) return false;
    if (seen.has(id)) return true;
    seen.add(id);
    return false;
  }

  /** The record, unchanged, to the tail of the dead-letter queue. */
  private keep(msg: Message, mark: string): Promise<typeof KEPT> {
    return this.publisher
      .publish({
        exchange: '',
        routingKey: this.topology.deadLetterQueue,
        content: msg.content,
        options: sameProperties(msg.properties, { [HEADERS.sweep]: mark }),
        mandatory: true,
      })
      .then(() => KEPT);
  }

  /** Back to the subscription queue it failed in when that still exists, else published to every current subscriber. */
  private async redeliver(msg: Message, event: BaseEvent, deadLetterId: string): Promise<void> {
    const options = copyProperties(msg.properties, { [HEADERS.replayOf]: deadLetterId });
    const queue = headerString(msg.properties.headers, HEADERS.queue);
    if (queue !== undefined) {
      try {
        await this.publisher.publish({
          exchange: '',
          routingKey: queue,
          content: msg.content,
          options,
          mandatory: true,
          eventId: event.id,
          eventType: event.type,
        });
        return;
      } catch (error) {
        if (!(error instanceof UnroutableError)) throw error;
      }
    }
    await this.publisher.publish({
      exchange: this.topology.exchange,
      routingKey: event.type,
      content: msg.content,
      options,
      eventId: event.id,
      eventType: event.type,
    });
  }

  private toRecord(msg: Message): { record: DeadLetterRecord } {
    const h = msg.properties.headers ?? {};
    const failedAt = new Date(failedAtOf(msg));
    const stack = headerString(h, HEADERS.errorStack);
    const record: DeadLetterRecord = {
      id: recordId(msg),
      error: {
        name: headerString(h, HEADERS.errorName) ?? 'Error',
        message: headerString(h, HEADERS.errorMessage) ?? '',
        ...(stack === undefined ? {} : { stack }),
      },
      attempts: Number(headerString(h, HEADERS.attempts) ?? 0) || 0,
      pattern: headerString(h, HEADERS.pattern) ?? '',
      failedAt,
    };
    const group = headerString(h, HEADERS.group);
    if (group !== undefined) record.group = group;
    let event: BaseEvent | undefined;
    if (h[HEADERS.raw] !== true) {
      try {
        event = this.codec.decode(msg.content);
      } catch {
        event = undefined;
      }
    }
    if (event !== undefined) record.event = event;
    else record.raw = msg.content.toString('utf8');
    return { record };
  }

  /** Declares a strategy's dead-letter exchange when missing and binds our dead-letter queue to it (once per bus). */
  private ensureRoute(exchange: string, routingKey: string): Promise<void> {
    const key = routeKey(exchange, routingKey);
    let route = this.routes.get(key);
    if (!route) {
      route = this.admin
        .with((ch) => ch.checkExchange(exchange))
        .then(
          () => undefined,
          // Missing (the check closed its channel): declare it as a durable topic exchange.
          () => this.admin.with(async (ch) => void (await ch.assertExchange(exchange, 'topic', { durable: true }))),
        )
        .then(() => this.admin.with((ch) => this.topology.bindDeadLetterQueue(ch, exchange, routingKey)));
      route.catch(() => this.routes.delete(key));
      this.routes.set(key, route);
    }
    return route;
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(job, job);
    this.exclusive = run.catch(() => undefined);
    return run;
  }
}

const RESOLVED = Promise.resolve();

/**
 * Where a dead letter goes: a handler's retry strategy that names a route (the deprecated
 * `deadLetter.exchange` / `routingKey`) keeps it, as a handler's strategy wins over the bus's
 * `retry`; otherwise the bus's `deadLetterRoute`.
 */
function routeOf(
  strategy: RetryStrategy | undefined,
  route: DeadLetterRoute | undefined,
): { exchange?: string | undefined; routingKey?: string | undefined } | undefined {
  const legacy = strategy?.deadLetter;
  return legacy?.exchange !== undefined || legacy?.routingKey !== undefined ? legacy : route;
}

function routeKey(exchange: string, routingKey: string): string {
  return `${exchange}\u0000${routingKey}`;
}

/** When it failed (epoch ms): the header the bus wrote, else the message timestamp, else 0. */
function failedAtOf(msg: Message): number {
  const h = msg.properties.headers;
  const at = new Date(headerString(h, HEADERS.failedAt) ?? Number(msg.properties.timestamp ?? 0) * 1000).getTime();
  return Number.isNaN(at) ? 0 : at;
}

/** The record's id: the header the bus wrote, else the message id (a message some other tool put there). */
function recordId(msg: Message): string {
  const h = msg.properties.headers;
  return headerString(h, HEADERS.deadLetterId) ?? String(msg.properties.messageId ?? `delivery-${msg.fields.deliveryTag}`);
}
