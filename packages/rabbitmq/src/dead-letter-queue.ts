import {
  ValidationError,
  type BaseEvent,
  type DeadLetterRecord,
  type DeadLetters,
  type EventCodec,
  type Logger,
  type RetryStrategy,
} from '@herald/core';
import type { Channel, GetMessage, MessageProperties } from 'amqplib';
import type { AdminChannels } from './admin-channel.js';
import { UnroutableError, type ConfirmPublisher } from './confirm-publisher.js';
import { copyProperties, deadLetterHeaders, HEADERS, headerString } from './message.js';
import type { Topology } from './topology.js';

export interface DeadLetterSource {
  /** The delivered bytes, stored as they came (undecodable ones included). */
  content: Buffer;
  properties: MessageProperties | undefined;
  /** The subscription queue it failed in; replay sends it back there. */
  queue: string;
  /** Its `deadLetter.exchange` / `routingKey` choose the destination; default: the bus's dead-letter exchange. */
  strategy?: RetryStrategy | undefined;
}

/** Replays run in batches of this many messages (gets, then confirmed republishes, then acks). */
const REPLAY_BATCH = 100;

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
 * contract is core's: `list(limit?)` oldest first, `replay(id | 'all')`
 * returns how many were replayed and leaves undecodable records, `purge()`
 * returns how many were removed.
 */
export class DeadLetterQueue implements DeadLetters {
  private exclusive: Promise<unknown> = Promise.resolve();
  private readonly checkedExchanges = new Map<string, Promise<void>>();

  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly topology: Topology,
    private readonly admin: AdminChannels,
    private readonly codec: EventCodec,
    private readonly logger: Logger,
  ) {}

  /** Stores a record made by core's pipeline; resolves once the broker confirmed it. */
  async add(record: DeadLetterRecord, source: DeadLetterSource): Promise<void> {
    const custom = source.strategy?.deadLetter?.exchange;
    const exchange = custom ?? this.topology.deadLetterExchange;
    const routingKey = source.strategy?.deadLetter?.routingKey ?? record.event?.type ?? 'undecodable';
    if (custom !== undefined) await this.ensureExchange(custom);
    const options = copyProperties(source.properties, deadLetterHeaders(record, source.queue));
    options.messageId ??= record.event?.id ?? record.id;
    const send = () =>
      this.publisher.publish({
        exchange,
        routingKey,
        content: source.content,
        options,
        // Our own dead-letter queue must take it; a user's exchange is theirs to bind.
        mandatory: custom === undefined,
        eventId: record.event?.id,
        eventType: record.event?.type,
      });
    try {
      await send();
    } catch (error) {
      if (!(error instanceof UnroutableError)) throw error;
      this.logger.warn({ transport: 'rabbitmq', queue: this.topology.deadLetterQueue }, 'dead-letter queue missing; declaring it again');
      await this.admin.with((ch) => this.topology.declareShared(ch));
      await send();
    }
  }

  async list(limit?: number): Promise<DeadLetterRecord[]> {
    // A bad argument is a rejected promise, like every other failure here (as in core's createDeadLetters).
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new ValidationError('limit', 'must be a non-negative integer');
    }
    return this.serial(() =>
      this.admin.with(async (ch) => {
        const records: DeadLetterRecord[] = [];
        try {
          // Held unacknowledged while we read; given back in their places afterwards.
          while (limit === undefined || records.length < limit) {
            const msg = await ch.get(this.topology.deadLetterQueue, { noAck: false });
            if (msg === false) break;
            records.push(this.toRecord(msg).record);
          }
        } finally {
          await giveBack(ch);
        }
        return records;
      }),
    );
  }

  async replay(id: string | 'all'): Promise<number> {
    if (typeof id !== 'string' || id.length === 0) throw new ValidationError('id', 'must be a dead-letter id or "all"');
    return this.serial(() =>
      this.admin.with(async (ch) => {
        const queue = this.topology.deadLetterQueue;
        // Only what is there now: records that fail again during the replay wait for the next one.
        const { messageCount } = await ch.checkQueue(queue);
        let replayed = 0;
        let firstError: unknown;
        let seen = 0;
        let found = false;
        try {
          while (seen < messageCount && !found) {
            const batch: Array<{ msg: GetMessage; event: BaseEvent; deadLetterId: string }> = [];
            while (batch.length < REPLAY_BATCH && seen < messageCount && !found) {
              const msg = await ch.get(queue, { noAck: false });
              if (msg === false) {
                seen = messageCount;
                break;
              }
              seen++;
              const { record } = this.toRecord(msg);
              if (id !== 'all' && record.id !== id) continue;
              if (id !== 'all') found = true;
              if (record.event === undefined) continue; // undecodable: stays
              batch.push({ msg, event: record.event, deadLetterId: record.id });
            }
            const results = await Promise.allSettled(batch.map((b) => this.redeliver(b.msg, b.event, b.deadLetterId)));
            results.forEach((r, i) => {
              if (r.status === 'fulfilled') {
                ch.ack(batch[i]!.msg);
                replayed++;
              } else {
                firstError ??= r.reason;
              }
            });
          }
        } finally {
          await giveBack(ch);
        }
        if (firstError !== undefined) throw firstError;
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

  /** Back to the subscription queue it failed in when that still exists, else published to every current subscriber. */
  private async redeliver(msg: GetMessage, event: BaseEvent, deadLetterId: string): Promise<void> {
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

  private toRecord(msg: GetMessage): { record: DeadLetterRecord } {
    const h = msg.properties.headers ?? {};
    const failedAt = new Date(headerString(h, HEADERS.failedAt) ?? Number(msg.properties.timestamp ?? 0) * 1000);
    const stack = headerString(h, HEADERS.errorStack);
    const record: DeadLetterRecord = {
      id: headerString(h, HEADERS.deadLetterId) ?? String(msg.properties.messageId ?? `delivery-${msg.fields.deliveryTag}`),
      error: {
        name: headerString(h, HEADERS.errorName) ?? 'Error',
        message: headerString(h, HEADERS.errorMessage) ?? '',
        ...(stack === undefined ? {} : { stack }),
      },
      attempts: Number(headerString(h, HEADERS.attempts) ?? 0) || 0,
      pattern: headerString(h, HEADERS.pattern) ?? '',
      failedAt: Number.isNaN(failedAt.getTime()) ? new Date(0) : failedAt,
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

  private ensureExchange(name: string): Promise<void> {
    let checked = this.checkedExchanges.get(name);
    if (!checked) {
      checked = this.admin
        .with((ch) => ch.checkExchange(name))
        .then(
          () => undefined,
          // Missing (the check closed its channel): declare it as a durable topic exchange.
          () => this.admin.with(async (ch) => void (await ch.assertExchange(name, 'topic', { durable: true }))),
        );
      checked.catch(() => this.checkedExchanges.delete(name));
      this.checkedExchanges.set(name, checked);
    }
    return checked;
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(job, job);
    this.exclusive = run.catch(() => undefined);
    return run;
  }
}

/** Requeues everything the channel holds, in place; the channel is closed by its owner. */
async function giveBack(ch: Channel): Promise<void> {
  await ch.recover().catch(() => undefined);
}
