import { DecodeError, type DomainEvent, type StoredEvent } from '@herald/core';

/**
 * How one event is kept in Redis: `<version>|<position>|<timestamp ms>|<json>`.
 *
 * The client encodes `<timestamp ms>|<json>`; the append script prepends the
 * stream version and global position it assigns (the client cannot know them,
 * e.g. for `'any'`), so a record is self-contained and reads need nothing else.
 * The JSON holds everything else except `version` (the header's is the truth).
 *
 * Dates must come back as Dates and strings as strings, exactly. Core's
 * jsonCodec revives every ISO-looking string, which would turn a user's string
 * into a Date, so this codec tags Dates instead: a Date becomes the string
 * "\u0000d<epoch ms>", and a user string that itself starts with "\u0000" gets
 * one more "\u0000" in front. Decoding undoes both; no other string changes.
 * `__proto__` keys are dropped on decode, like jsonCodec, so decoded events are
 * safe to merge into other objects.
 */
const NUL = '\u0000';
const DATE_TAG = '\u0000d';

export function encodeEventBody(event: DomainEvent): string {
  const timestamp = event.timestamp.getTime();
  // The event's own timestamp and version travel in the header, not in the JSON.
  const { timestamp: _timestamp, version: _version, ...rest } = event;
  // A replacer takes JSON.stringify off its fast path; most events hold no Date
  // but their timestamp and no NUL-led string, so check first and skip it then.
  if (!needsTags(rest)) return `${timestamp}|${JSON.stringify(rest)}`;
  return `${timestamp}|${JSON.stringify(rest, function (this: Record<string, unknown>, key: string, value: unknown) {
    return tagDates(this, key, value);
  })}`;
}

/** Whether a value holds a Date or a string starting with NUL anywhere. */
function needsTags(value: unknown): boolean {
  if (typeof value === 'string') return value.charCodeAt(0) === 0;
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof Date) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (needsTags(item)) return true;
    return false;
  }
  for (const key in value) if (needsTags((value as Record<string, unknown>)[key])) return true;
  return false;
}

export function decodeStoredEvent(record: string): StoredEvent {
  const bar1 = record.indexOf('|');
  const bar2 = record.indexOf('|', bar1 + 1);
  const bar3 = record.indexOf('|', bar2 + 1);
  const version = Number(record.slice(0, bar1));
  const position = Number(record.slice(bar1 + 1, bar2));
  const timestamp = Number(record.slice(bar2 + 1, bar3));
  if (bar1 <= 0 || bar2 <= bar1 || bar3 <= bar2 || !Number.isInteger(version) || !Number.isInteger(position)) {
    throw corrupt(record, 'missing or broken header');
  }
  const json = record.slice(bar3 + 1);
  let body: Record<string, unknown>;
  try {
    // Most events have no tagged strings and no "__proto__" key: skip the (slower) reviver then.
    body = (json.includes('\\u0000') || json.includes('"__proto__"') ? JSON.parse(json, untag) : JSON.parse(json)) as Record<
      string,
      unknown
    >;
  } catch (cause) {
    throw corrupt(record, `invalid JSON at position ${position}: ${(cause as Error).message}`, cause);
  }
  body.timestamp = new Date(timestamp);
  body.version = version;
  body.position = position;
  return body as unknown as StoredEvent;
}

function tagDates(holder: Record<string, unknown>, key: string, value: unknown): unknown {
  // JSON.stringify has already called Date#toJSON on `value`; the holder still has the Date.
  if (holder[key] instanceof Date) return DATE_TAG + (holder[key] as Date).getTime();
  if (typeof value === 'string' && value.charCodeAt(0) === 0) return NUL + value;
  return value;
}

function untag(key: string, value: unknown): unknown {
  if (key === '__proto__') return undefined;
  if (typeof value === 'string' && value.charCodeAt(0) === 0) {
    if (value.charCodeAt(1) === 0) return value.slice(1);
    if (value.startsWith(DATE_TAG)) return new Date(Number(value.slice(DATE_TAG.length)));
  }
  return value;
}

function corrupt(record: string, why: string, cause?: unknown): DecodeError {
  return new DecodeError(`stored event is unreadable: ${why}`, Buffer.from(record, 'utf8'), { cause });
}
