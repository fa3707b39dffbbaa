import { describe, expect, it } from 'vitest';
import { PublishError } from '../src/index.js';
import { PublishWindow } from '../src/transport.js';

const timedOut = () => new PublishError('no slot in time');

describe('PublishWindow', () => {
  it('lets `limit` publishes through at once, then makes the next wait until one settles, in order', async () => {
    // Given a window of 2
    const window = new PublishWindow(2, 60_000);
    expect(window.tryAcquire()).toBe(true);
    expect(window.tryAcquire()).toBe(true);

    // When two more publishes ask for a slot
    const order: number[] = [];
    const third = window.acquire(timedOut).then(() => order.push(3));
    const fourth = window.acquire(timedOut).then(() => order.push(4));
    expect(window.tryAcquire()).toBe(false);
    expect(window.queued).toBe(2);

    // Then each gets in only when a slot is given back, first come first served
    window.release();
    await third;
    expect(order).toEqual([3]);
    window.release();
    await fourth;
    expect(order).toEqual([3, 4]);
    expect(window.used).toBe(2);
  });

  it('rejects a waiting publish with the caller error once its timeout has passed', async () => {
    // Given a full window of 1 and a timeout of 20 ms
    const window = new PublishWindow(1, 20);
    window.tryAcquire();

    // When a publish waits and nothing settles
    const error = await window.acquire(timedOut).then(() => undefined, (e: unknown) => e);

    // Then it is rejected with the caller's error and holds no slot
    expect(error).toBeInstanceOf(PublishError);
    expect(window.queued).toBe(0);
    window.release();
    expect(window.tryAcquire()).toBe(true);
  });

  it('counts a batch by its events, capped at the limit so a big batch still goes out alone', async () => {
    // Given a window of 10 with 5 slots taken
    const window = new PublishWindow(10, 60_000);
    expect(window.tryAcquire(5)).toBe(true);

    // When a batch of 100 asks: it needs the whole window
    let admitted = false;
    const batch = window.acquire(timedOut, 100).then(() => {
      admitted = true;
    });
    await Promise.resolve();
    expect(admitted).toBe(false);

    // Then it gets in once the window is empty
    window.release(5);
    await batch;
    expect(window.used).toBe(10);
  });

  it('rejectAll rejects every waiter', async () => {
    const window = new PublishWindow(1, 60_000);
    window.tryAcquire();
    const waiting = window.acquire(timedOut).then(() => undefined, (e: unknown) => e);
    window.rejectAll(new Error('closed'));
    expect(((await waiting) as Error).message).toBe('closed');
  });
});
