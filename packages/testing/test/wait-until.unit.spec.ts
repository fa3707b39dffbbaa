import { TimeoutError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../src/index.js';

describe('waitUntil', () => {
  it('resolves with the first truthy value of the condition', async () => {
    let calls = 0;
    const value = await waitUntil(() => (++calls >= 3 ? { calls } : undefined), { timeoutMs: 1_000 });
    expect(value).toEqual({ calls: 3 });
  });

  it('accepts async conditions and treats a throwing check as "not yet"', async () => {
    let calls = 0;
    const value = await waitUntil(
      async () => {
        calls++;
        if (calls < 2) throw new Error('not ready');
        return 'ready';
      },
      { timeoutMs: 1_000 },
    );
    expect(value).toBe('ready');
  });

  it('rejects with a TimeoutError naming what it waited for and the last error', async () => {
    const error = await waitUntil(
      () => {
        throw new Error('still broken');
      },
      { timeoutMs: 20, message: 'the widget' },
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe(
      'timed out after 20 ms waiting for the widget (last check threw: Error: still broken)',
    );
  });

  it('keeps its bound when a check never settles', async () => {
    const started = Date.now();
    await expect(waitUntil(() => new Promise<boolean>(() => {}), { timeoutMs: 30, message: 'a hung check' })).rejects.toThrow(
      'waiting for a hung check',
    );
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
