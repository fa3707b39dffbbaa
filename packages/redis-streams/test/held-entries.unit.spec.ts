import { describe, expect, it } from 'vitest';
import { HeldEntries } from '../src/held-entries.js';

describe('HeldEntries', () => {
  it('holds an entry once per stream and id, counts and releases it', () => {
    // Given two streams that happen to use the same entry id
    const held = new HeldEntries<{ stream: string; id: string }>();
    const a = { stream: 's:{0}', id: '1-0' };
    const b = { stream: 's:{1}', id: '1-0' };

    // When both are added, and one of them again (an entry claimed while still held)
    expect(held.add(a)).toBe(true);
    expect(held.add(b)).toBe(true);
    expect(held.add({ ...a })).toBe(false);

    // Then each is held once, and a release frees exactly that one
    expect(held.size).toBe(2);
    expect([...held.idsByStream()]).toEqual([
      ['s:{0}', ['1-0']],
      ['s:{1}', ['1-0']],
    ]);
    expect(held.delete({ ...a })).toBe(true);
    expect(held.delete(a)).toBe(false);
    expect(held.has(a)).toBe(false);
    expect(held.has(b)).toBe(true);
    expect(held.size).toBe(1);
    expect([...held.idsByStream()]).toEqual([['s:{1}', ['1-0']]]);
  });
});
