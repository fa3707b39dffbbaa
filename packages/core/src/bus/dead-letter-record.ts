import { randomUUID } from 'node:crypto';
import type { BaseEvent } from '../events/types.js';
import type { EventCodec } from '../codec/json-codec.js';
import { errorFields } from '../logger.js';
import type { DeadLetterRecord } from './types.js';

export function createDeadLetterRecord(input: {
  event?: BaseEvent;
  raw?: Uint8Array | string;
  error: Error;
  attempts: number;
  pattern: string;
  group?: string | undefined;
}): DeadLetterRecord {
  const record: DeadLetterRecord = {
    id: randomUUID(),
    error: errorFields(input.error),
    attempts: input.attempts,
    pattern: input.pattern,
    failedAt: new Date(),
  };
  if (input.event !== undefined) record.event = input.event;
  if (input.raw !== undefined) {
    record.raw = typeof input.raw === 'string' ? input.raw : Buffer.from(input.raw).toString('utf8');
  }
  if (input.group !== undefined) record.group = input.group;
  return record;
}

/**
 * A dead-letter record as JSON can carry it (a Redis hash value, an AMQP
 * message body): the event in the codec's text form, or base64 when the codec
 * is not a text one; the time as ISO text.
 */
export interface SerializedDeadLetter {
  id: string;
  event?: string;
  eventBase64?: string;
  raw?: string;
  error: DeadLetterRecord['error'];
  attempts: number;
  pattern: string;
  group?: string;
  failedAt: string;
}

/** `record` for JSON; the raw text of an undecodable message is cut to `maxRawChars`, saying how long it was. */
export function serializeDeadLetter(
  record: DeadLetterRecord,
  codec: EventCodec,
  maxRawChars = Number.POSITIVE_INFINITY,
): SerializedDeadLetter {
  const stored: SerializedDeadLetter = {
    id: record.id,
    error: record.error,
    attempts: record.attempts,
    pattern: record.pattern,
    failedAt: record.failedAt.toISOString(),
  };
  if (record.group !== undefined) stored.group = record.group;
  if (record.raw !== undefined) {
    stored.raw =
      record.raw.length > maxRawChars
        ? `${record.raw.slice(0, maxRawChars)}…[truncated: ${record.raw.length} characters in all]`
        : record.raw;
  }
  if (record.event !== undefined) {
    const bytes = codec.encode(record.event);
    if (codec.contentType.includes('json')) stored.event = bytes.toString('utf8');
    else stored.eventBase64 = bytes.toString('base64');
  }
  return stored;
}

/**
 * The record back from `serializeDeadLetter`'s form. An event the codec no
 * longer decodes (written by a bus with another codec) is kept listable as
 * raw text; `onUndecodable` hears why.
 */
export function deserializeDeadLetter(
  stored: SerializedDeadLetter,
  codec: EventCodec,
  onUndecodable?: (error: Error, stored: SerializedDeadLetter) => void,
): DeadLetterRecord {
  const record: DeadLetterRecord = {
    id: stored.id,
    error: stored.error,
    attempts: stored.attempts,
    pattern: stored.pattern,
    failedAt: new Date(stored.failedAt),
  };
  if (stored.group !== undefined) record.group = stored.group;
  if (stored.raw !== undefined) record.raw = stored.raw;
  const encoded = stored.event ?? (stored.eventBase64 === undefined ? undefined : Buffer.from(stored.eventBase64, 'base64'));
  if (encoded !== undefined) {
    try {
      record.event = codec.decode(encoded);
    } catch (error) {
      onUndecodable?.(error as Error, stored);
      record.raw = typeof encoded === 'string' ? encoded : encoded.toString('utf8');
    }
  }
  return record;
}
