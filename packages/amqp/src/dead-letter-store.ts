import {
  toError,
  type DeadLetterRecord,
  type DeadLetterStore,
  type EventCodec,
} from '@herald/core';
import type { Delivery, EventContext, Message, Receiver } from 'rhea';
import { rheaMessage } from './rhea.js';
import type { ConnectionManager } from './connection-manager.js';
import { errorOf } from './connection-manager.js';
import { accept, detach, release } from './consumer.js';
import { bodyOf } from './message.js';
import type { UnsettledPublisher } from './publisher.js';

/** A dead letter as it travels: the record's fields, the event in the codec's text form. */
interface WireRecord {
  id: string;
  event?: string;
  raw?: string;
  error: { name: string; message: string; stack?: string };
  attempts: number;
  pattern: string;
  group?: string;
  failedAt: string;
}

interface Held {
  record: DeadLetterRecord;
  delivery: Delivery;
}

/** Most records one list/take/purge reads in one go. */
const MAX_BATCH = 100_000;

/**
 * Dead letters kept in a durable queue on the broker (RabbitMQ:
 * `/queue/<prefix>dead-letters`), one message per record, so they survive the
 * process and the broker. `add` is a publish that resolves on `accepted`.
 * Reading attaches a receiver, drains the queue into the process while
 * holding every delivery unsettled, then accepts what is taken or purged and
 * releases the rest back in place — a crash while reading gives everything
 * back. core's `createDeadLetters` builds `bus.deadLetters` on it.
 * Operations of one bus run one at a time.
 */
export class QueueDeadLetterStore implements DeadLetterStore {
  private exclusive: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly address: string,
    private readonly publisher: UnsettledPublisher,
    private readonly manager: ConnectionManager,
    private readonly codec: EventCodec,
    private readonly timeoutMs: number,
  ) {}

  add(record: DeadLetterRecord): Promise<void> {
    return this.publisher.publish(this.toMessage(record), record.event?.id, record.event?.type);
  }

  list(limit?: number): Promise<DeadLetterRecord[]> {
    return this.serial(async () => {
      const held = await this.drain(limit ?? MAX_BATCH);
      for (const h of held) release(h.delivery);
      return held.map((h) => h.record);
    });
  }

  take(id: string): Promise<DeadLetterRecord[]> {
    return this.serial(async () => {
      const held = await this.drain(MAX_BATCH);
      const taken: DeadLetterRecord[] = [];
      for (const h of held) {
        if (id === 'all' || (h.record.id === id && taken.length === 0)) {
          accept(h.delivery);
          taken.push(h.record);
        } else release(h.delivery);
      }
      return taken;
    });
  }

  purge(): Promise<number> {
    return this.serial(async () => {
      const held = await this.drain(MAX_BATCH);
      for (const h of held) accept(h.delivery);
      return held.length;
    });
  }

  /**
   * Attaches a receiver, gives it `max` credit and holds what arrives until it
   * has every message the queue had then. How many that is comes from the
   * `available` field of the broker's answering flow frame: RabbitMQ 3.10
   * crashes the session when a classic-queue consumer is drained, so drain
   * mode cannot say "no more" there.
   */
  private async drain(max: number): Promise<Held[]> {
    const conn = await this.manager.whenOpen(this.timeoutMs);
    const receiver = conn.open_receiver({
      source: { address: this.address, durable: 2 },
      credit_window: 0,
      autoaccept: false,
    });
    const held: Held[] = [];
    let available: number | undefined;
    let check = () => undefined as void;
    onFlowFrame(receiver, (n) => {
      available = n;
      check();
    });
    receiver.on('message', (ctx: EventContext) => {
      held.push({ record: this.toRecord(ctx.message!), delivery: ctx.delivery! });
      check();
    });
    receiver.on('receiver_error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`amqp: dead letters not read within ${this.timeoutMs} ms`)),
          this.timeoutMs,
        );
        const fail = (ctx: EventContext) => {
          clearTimeout(timer);
          reject(errorOf(ctx) ?? new Error('amqp: the dead-letter link was detached'));
        };
        check = () => {
          if (available === undefined || held.length < Math.min(available, max)) return;
          clearTimeout(timer);
          receiver.off('receiver_close', fail);
          resolve();
        };
        receiver.once('receiver_close', fail);
        receiver.once('receiver_open', () => {
          if (max === 0) available = 0;
          else receiver.add_credit(max);
          check();
        });
      });
    } catch (error) {
      await detach(receiver, this.timeoutMs);
      for (const h of held) release(h.delivery);
      throw toError(error);
    }
    // Detached before the caller settles: a released message would otherwise come straight
    // back to this link (it still has credit) and stay unacknowledged when it detaches.
    await detach(receiver, this.timeoutMs);
    return held;
  }

  private toMessage(record: DeadLetterRecord): Message {
    const wire: WireRecord = {
      id: record.id,
      error: record.error,
      attempts: record.attempts,
      pattern: record.pattern,
      failedAt: record.failedAt.toISOString(),
    };
    if (record.event !== undefined) wire.event = this.codec.encode(record.event).toString('utf8');
    if (record.raw !== undefined) wire.raw = record.raw;
    if (record.group !== undefined) wire.group = record.group;
    return {
      durable: true,
      message_id: record.id,
      content_type: 'application/json',
      subject: record.event?.type ?? 'undecodable',
      // Readable by operators without decoding the body.
      application_properties: {
        'herald-dead-letter-id': record.id,
        'herald-error': record.error.name,
        'herald-pattern': record.pattern,
        'herald-attempts': record.attempts,
      },
      body: rheaMessage.data_section(Buffer.from(JSON.stringify(wire), 'utf8')),
    } as Message;
  }

  /** A message of the queue as a record; one that is not a record (put there by someone else) is kept as raw text. */
  private toRecord(message: Message): DeadLetterRecord {
    const body = bodyOf(message);
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    let wire: WireRecord | undefined;
    try {
      const parsed = JSON.parse(text) as WireRecord;
      if (parsed && typeof parsed.id === 'string' && typeof parsed.error === 'object') wire = parsed;
    } catch {
      wire = undefined;
    }
    if (wire === undefined) {
      return {
        id: String(message.message_id ?? 'unknown'),
        raw: text,
        error: { name: 'DecodeError', message: 'not a Herald dead-letter record' },
        attempts: 0,
        pattern: '',
        failedAt: new Date(0),
      };
    }
    const record: DeadLetterRecord = {
      id: wire.id,
      error: wire.error,
      attempts: wire.attempts,
      pattern: wire.pattern,
      failedAt: new Date(wire.failedAt),
    };
    if (wire.event !== undefined) {
      try {
        record.event = this.codec.decode(wire.event);
      } catch {
        record.raw = wire.event;
      }
    }
    if (wire.raw !== undefined) record.raw = wire.raw;
    if (wire.group !== undefined) record.group = wire.group;
    return record;
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(job, job);
    this.exclusive = run.catch(() => undefined);
    return run;
  }
}

/**
 * Calls `listener` with the `available` count of every flow frame the broker
 * sends this receiver. rhea hands the frame to the link's `on_flow` but not
 * to its `receiver_flow` event, so the method is wrapped on this one link.
 */
function onFlowFrame(receiver: Receiver, listener: (available: number) => void): void {
  const link = receiver as unknown as { on_flow(frame: { performative?: { available?: unknown } }): void };
  const original = link.on_flow.bind(link);
  link.on_flow = (frame) => {
    const available = frame.performative?.available;
    original(frame);
    if (typeof available === 'number') listener(available);
  };
}
