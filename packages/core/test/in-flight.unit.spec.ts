import { describe, expect, it } from 'vitest';
import { InFlight } from '../src/transport.js';

describe('InFlight', () => {
  it('resolves whenIdle at once when nothing is under way', async () => {
    await expect(new InFlight().whenIdle()).resolves.toBeUndefined();
  });

  it('resumes every waiter when the last piece of work leaves, not before', async () => {
    // Given two pieces of work under way and two waiters
    const work = new InFlight();
    work.enter();
    work.enter();
    let resumed = 0;
    const waiters = [work.whenIdle(), work.whenIdle()].map((w) => w.then(() => resumed++));
    // When the first leaves, then the second
    expect(work.leave()).toBe(false);
    await Promise.resolve();
    expect(resumed).toBe(0);
    expect(work.size).toBe(1);
    expect(work.leave()).toBe(true);
    // Then both waiters resume
    await Promise.all(waiters);
    expect(resumed).toBe(2);
    expect(work.size).toBe(0);
  });
});
