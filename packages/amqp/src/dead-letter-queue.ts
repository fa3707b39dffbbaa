import type { DeadLetterRecord, EventCodec } from '@herald/core';
import { serializeDeadLetter } from '@herald/core/transport';
import type { Message } from 'rhea';
import type { UnsettledPublisher } from './publisher.js';
import { rheaMessage } from './rhea.js';

/**
 * Where the bus puts dead letters: a durable queue on the broker (RabbitMQ:
 * `/queue/<prefix>dead-letters`), one message per record — the record's
 * fields as JSON (core's `serializeDeadLetter`: the event in the codec's
 * text form, or the undecodable message as `raw`), plus `herald-*` application properties operators can
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
    const wire = serializeDeadLetter(record, this.codec);
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
