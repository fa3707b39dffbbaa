import { ValidationError } from '@herald/core';

/**
 * Where a store keeps its data, all under the user's prefix (default `herald:`):
 *
 *   <prefix>{es}:head            string  last global position assigned (INCRBY)
 *   <prefix>{es}:events          hash    position → stored event (the only copy)
 *   <prefix>{es}:stream:<id>     list    the stream's positions, in version order
 *   <prefix>{es}:checkpoints     hash    relay name → next position to publish
 *   <prefix>{es}:snapshot:<id>   string  latest snapshot of an aggregate: `<version>|<json>`
 *   <prefix>inbox:<key>          string  idempotent-consumer record: `pending` or `done`, with a TTL
 *
 * `{es}` is a Redis Cluster hash tag: an append touches the stream, the events
 * hash and the head in one script, which Cluster allows only within one slot,
 * so every key of a store must hash alike. A prefix that carries its own tag
 * (`app:{orders}:`) decides the slot instead, since the first `{…}` wins.
 *
 * Stream ids are percent-encoded (see encodeStreamId), so an id can never reach
 * outside its `stream:` namespace, never contain glob characters, and two ids
 * never share a key.
 */
export interface KeyLayout {
  readonly prefix: string;
  readonly head: string;
  readonly events: string;
  readonly checkpoints: string;
  stream(streamId: string): string;
  snapshot(aggregateId: string): string;
  /** Inbox keys stand alone (no multi-key operation), so they carry no hash tag. */
  inbox(key: string): string;
}

export const DEFAULT_PREFIX = 'herald:';

export function keyLayout(prefix: string = DEFAULT_PREFIX): KeyLayout {
  if (typeof prefix !== 'string') throw new ValidationError('prefix', 'must be a string');
  const base = `${prefix}{es}:`;
  return {
    prefix,
    head: `${base}head`,
    events: `${base}events`,
    checkpoints: `${base}checkpoints`,
    stream: (streamId) => `${base}stream:${encodeStreamId(streamId)}`,
    snapshot: (aggregateId) => `${base}snapshot:${encodeStreamId(aggregateId)}`,
    inbox: (key) => `${prefix}inbox:${encodeStreamId(key)}`,
  };
}

const PLAIN_ID = /^[A-Za-z0-9_.~-]+$/;

/**
 * An injective, glob-free spelling of any JavaScript string: percent-encoded
 * UTF-8, with `*` also escaped (encodeURIComponent leaves it) so keys never hold
 * a glob character. Lone surrogates, which UTF-8 cannot carry (Buffer would turn
 * every one into U+FFFD and make distinct ids collide), become `%uXXXX`; a real
 * escape is always `%` + two hex digits, so the two never overlap.
 */
export function encodeStreamId(streamId: string): string {
  if (PLAIN_ID.test(streamId)) return streamId;
  let out = '';
  let start = 0;
  for (let i = 0; i < streamId.length; i++) {
    const c = streamId.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = streamId.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++; // a well-formed pair: encodeURIComponent handles it
      continue;
    }
    out += encodeWellFormed(streamId.slice(start, i)) + `%u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    start = i + 1;
  }
  return out + encodeWellFormed(streamId.slice(start));
}

function encodeWellFormed(text: string): string {
  return encodeURIComponent(text).replace(/\*/g, '%2A');
}
