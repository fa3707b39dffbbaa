import type { BaseEvent, EventCodec } from '@herald/core';
import type { Message } from 'rhea';
import { rheaMessage } from './rhea.js';

/**
 * An event as an AMQP 1.0 message: the codec's bytes in one data section,
 * durable, with the event's id, type, content type and creation time in the
 * standard properties (so brokers and other clients can read them without
 * decoding the body). `subject` carries the routing key on RabbitMQ.
 */
export function eventMessage(event: BaseEvent, codec: EventCodec, subject: string): Message {
  return {
    durable: true,
    message_id: event.id,
    subject,
    content_type: codec.contentType,
    creation_time: event.timestamp,
    body: rheaMessage.data_section(codec.encode(event)),
  } as Message;
}

/**
 * The body of a received message as bytes or text for the codec. A data
 * section gives its bytes; an AMQP string value its text; anything else
 * (numbers, maps, lists from a foreign client) goes to the codec as its JSON
 * text, where it fails to decode and is dead-lettered.
 */
export function bodyOf(message: Message): Uint8Array | string {
  const body = (message as { body?: unknown }).body;
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body;
  const section = body as { typecode?: number; content?: unknown; multiple?: boolean };
  if (section.typecode === 0x75) {
    const content = section.content;
    if (Buffer.isBuffer(content)) return content;
    if (Array.isArray(content) && content.every((c) => Buffer.isBuffer(c))) return Buffer.concat(content as Buffer[]);
    return new Uint8Array(0);
  }
  try {
    return JSON.stringify(body) ?? '';
  } catch {
    return String(body);
  }
}
