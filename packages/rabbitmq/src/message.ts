import type { BaseEvent, DeadLetterRecord } from '@herald/core';
import { copyFields } from '@herald/core/transport';
import type { MessageProperties, Options } from 'amqplib';

/** Header names the bus writes. `herald-delay` has no `x-` because headers exchanges ignore `x-` keys. */
export const HEADERS = {
  correlationId: 'x-correlation-id',
  causationId: 'x-causation-id',
  attempt: 'x-herald-attempt',
  delay: 'herald-delay',
  deadLetterId: 'x-herald-dead-letter-id',
  errorName: 'x-herald-error-name',
  errorMessage: 'x-herald-error-message',
  errorStack: 'x-herald-error-stack',
  attempts: 'x-herald-attempts',
  pattern: 'x-herald-pattern',
  group: 'x-herald-group',
  queue: 'x-herald-queue',
  failedAt: 'x-herald-failed-at',
  raw: 'x-herald-raw',
  replayOf: 'x-herald-replay-of',
  sweep: 'x-herald-sweep',
} as const;

/** The AMQP routing key, queue name and short-string limit. */
export const MAX_SHORT_STRING = 255;

/** Properties of a published event: persistent, identified, typed, correlated. */
export function eventProperties(event: BaseEvent, contentType: string): Options.Publish {
  const meta = event.metadata;
  const headers: Record<string, unknown> = { [HEADERS.correlationId]: meta.correlationId };
  if (meta.causationId !== undefined) headers[HEADERS.causationId] = meta.causationId;
  const traceparent = (meta as Record<string, unknown>).traceparent;
  if (typeof traceparent === 'string') headers.traceparent = traceparent;
  const tracestate = (meta as Record<string, unknown>).tracestate;
  if (typeof tracestate === 'string') headers.tracestate = tracestate;
  return {
    persistent: true,
    messageId: event.id,
    contentType,
    timestamp: Math.floor(event.timestamp.getTime() / 1000),
    type: event.type,
    correlationId: meta.correlationId,
    appId: truncate(meta.source, MAX_SHORT_STRING),
    headers,
  };
}

/** The attempt a delivery is on: the header the retry router wrote, else the first. */
export function readAttempt(properties: MessageProperties): number {
  const raw = properties.headers?.[HEADERS.attempt];
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/**
 * Properties for a copy of a delivered message (retry or dead letter): the
 * original's identity and correlation, persistent, without the broker's
 * x-death bookkeeping or Herald's own retry/dead-letter headers; `headers` are added on top.
 */
export function copyProperties(properties: MessageProperties | undefined, headers: Record<string, unknown>): Options.Publish {
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(properties?.headers ?? {})) {
    if (k === 'x-death' || k.startsWith('x-first-death') || k.startsWith('x-last-death')) continue;
    if (k.startsWith('x-herald-') || k.startsWith('herald-')) continue;
    kept[k] = v;
  }
  const out: Options.Publish = { persistent: true, headers: copyFields(kept, headers) };
  if (properties) {
    if (properties.messageId !== undefined) out.messageId = properties.messageId;
    if (properties.contentType !== undefined) out.contentType = properties.contentType;
    if (properties.timestamp !== undefined) out.timestamp = properties.timestamp;
    if (properties.type !== undefined) out.type = properties.type;
    if (properties.correlationId !== undefined) out.correlationId = properties.correlationId;
    if (properties.appId !== undefined) out.appId = properties.appId;
  }
  return out;
}

/**
 * Properties for an exact copy of a stored message (a dead letter kept in its
 * queue by a sweep): every header as it was, `headers` added on top. `userId`
 * and `expiration` are left out: the broker checks the first against the
 * connection's user, and the second would restart the copy's clock.
 */
export function sameProperties(properties: MessageProperties, headers: Record<string, unknown>): Options.Publish {
  const { contentType, contentEncoding, deliveryMode, priority, correlationId, replyTo, messageId, timestamp, type, appId } = properties;
  const out: Options.Publish = { headers: copyFields(copyFields({}, properties.headers), headers) };
  const kept = { contentType, contentEncoding, deliveryMode, priority, correlationId, replyTo, messageId, timestamp, type, appId };
  for (const [k, v] of Object.entries(kept)) {
    if (v !== undefined && v !== null) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** Headers describing a dead letter (error, attempts, pattern, group, time, origin queue). */
export function deadLetterHeaders(record: DeadLetterRecord, queue: string | undefined): Record<string, unknown> {
  const h: Record<string, unknown> = {
    [HEADERS.deadLetterId]: record.id,
    [HEADERS.errorName]: truncate(record.error.name, 1_000),
    [HEADERS.errorMessage]: truncate(record.error.message, 4_000),
    [HEADERS.attempts]: record.attempts,
    [HEADERS.pattern]: record.pattern,
    [HEADERS.failedAt]: record.failedAt.toISOString(),
  };
  if (record.error.stack !== undefined) h[HEADERS.errorStack] = truncate(record.error.stack, 8_000);
  if (record.group !== undefined) h[HEADERS.group] = record.group;
  if (queue !== undefined) h[HEADERS.queue] = queue;
  if (record.event === undefined) h[HEADERS.raw] = true;
  return h;
}

export function headerString(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
