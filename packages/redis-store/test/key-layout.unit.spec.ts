import { describe, expect, it } from 'vitest';
import { encodeStreamId, keyLayout } from '../src/index.js';

const TRICKY_IDS = [
  'order-1', 'order-10', 'order-1:', 'a:b', 'a', 'b', ':', '%3A', '%', '%25', '%u0041', 'A',
  '*', '%2A', '?', '[a]', '{', '}', '{tag}', ' ', 'with space', 'ünïcødé', 'u\u0308', '流水', '🚀',
  '\uD800', '\uDC00', '\uFFFD', '\uD800x', 'head', 'events', 'stream:a', 'checkpoints', '\\', '/', '\n',
];

describe('encodeStreamId', () => {
  it('gives every distinct id a distinct key part', () => {
    // Given ids that naive encodings confuse (escapes, lone surrogates vs U+FFFD, separators)
    // When each is encoded
    const encoded = TRICKY_IDS.map(encodeStreamId);

    // Then no two collide
    expect(new Set(encoded).size).toBe(TRICKY_IDS.length);
  });

  it('never yields a separator, hash-tag brace, glob character or whitespace', () => {
    // Given the tricky ids
    // When encoded
    // Then the result is plain ASCII without : { } * ? [ ] \ or spaces
    for (const id of TRICKY_IDS) expect(encodeStreamId(id), JSON.stringify(id)).toMatch(/^[A-Za-z0-9_.~!'()%-]+$/);
  });

  it('leaves plain ids readable', () => {
    // Given ids of letters, digits and _.~- (and one with a colon)
    // When encoded
    // Then only the colon is escaped
    expect(encodeStreamId('order-1')).toBe('order-1');
    expect(encodeStreamId('Cart_2.v1~x')).toBe('Cart_2.v1~x');
    expect(encodeStreamId('a:b')).toBe('a%3Ab');
  });
});

describe('keyLayout', () => {
  it('puts every key under the prefix and the same hash tag', () => {
    // Given the default layout
    const keys = keyLayout();

    // When its keys are listed
    const all = [keys.head, keys.events, keys.checkpoints, keys.stream('a:{b}'), keys.stream('x')];

    // Then they start with the prefix and share the {es} hash tag, and no stream key equals an internal one
    for (const key of all) {
      expect(key.startsWith('herald:')).toBe(true);
      expect(/\{([^}]*)\}/.exec(key)?.[1]).toBe('es');
    }
    expect(keys.stream('a:{b}')).toBe('herald:{es}:stream:a%3A%7Bb%7D');
    expect(new Set(all).size).toBe(all.length);
  });

  it('honours a custom prefix, whose own hash tag then decides the slot', () => {
    // Given a prefix with a hash tag
    const keys = keyLayout('app:{orders}:');

    // When a key is built
    // Then the prefix's tag comes first, so it is the one Redis Cluster hashes
    expect(keys.head).toBe('app:{orders}:{es}:head');
    expect(/\{([^}]*)\}/.exec(keys.head)?.[1]).toBe('orders');
  });
});
