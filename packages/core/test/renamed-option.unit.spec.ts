import { describe, expect, it } from 'vitest';
import { isHeraldError } from '../src/index.js';
import { renamedOption } from '../src/transport.js';

const names = { name: 'maxBufferedEvents', deprecated: 'highWaterMark' };

describe('renamedOption', () => {
  it('takes the new name first, the deprecated one when only it is given, and says which was used', () => {
    expect(renamedOption(5, undefined, names)).toEqual({ value: 5, field: 'maxBufferedEvents' });
    expect(renamedOption(undefined, 7, names)).toEqual({ value: 7, field: 'highWaterMark' });
    expect(renamedOption(undefined, undefined, names)).toEqual({ value: undefined, field: 'maxBufferedEvents' });
    expect(renamedOption(3, 3, names)).toEqual({ value: 3, field: 'maxBufferedEvents' });
  });

  it('refuses both names with different values (one would be ignored)', () => {
    let error: unknown;
    try {
      renamedOption(5, 7, names);
    } catch (e) {
      error = e;
    }
    expect(isHeraldError(error, 'VALIDATION')).toBe(true);
    expect((error as Error).message).toBe('highWaterMark: is the deprecated name of maxBufferedEvents: give one of them');
  });
});
