import type { DeadLetterRecord, EventCodec } from '@herald/core';
import type { Message } from 'rhea';
import type { UnsettledPublisher } from './publisher.js';
import { rheaMessage } from './rhea.js';

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

/**
 * Where the bus puts dead letters: a durable queue on the broker (RabbitMQ:
 * `/queue/<prefix>dead-letters`), one message per record — the record's
 * fields as JSON (the event in the codec's text form, or the undecodable
 * message as `raw`), plus `herald-*` application properties operators can
 * read without decoding. `add` resolves once the broker accepted the record;
 * only then is the failed delivery accepted.
 *
 * Reading them back through the bus (`list` / `replay` / `purge`) is not
 * offered on RabbitMQ 3.x: its AMQP 1.0 plugin cannot drain a classic queue
 * (the session crashes), and without drain a reader cannot tell "empty" from
 * "not yet", so a listing would be a guess. See the README.
 */
export class DeadLetterQueue {
  constructor(
    private readonly publisher: UnsettledPublisher,
    private readonly codec: EventCodec,
  ) {}

  add(record: DeadLetterRecord): Promise<void> {
    return this.publisher.publish(this.toMessage(record), record.event?.id, record.event?.type);
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
}
