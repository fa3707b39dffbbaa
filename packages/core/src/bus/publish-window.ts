import { Deque } from './deque.js';

interface Waiter {
  readonly weight: number;
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly onTimeout: () => Error;
  settled: boolean;
}

// The global `performance` is an accessor on globalThis in Node: read it once.
const clock = performance;

/**
 * The `maxPublishesInFlight` bound of a networked bus: at most `limit`
 * publishes await the server's reply at once; further publishes wait here, in
 * order, instead of piling up in the client (a publisher that does not await
 * would otherwise grow memory without bound). A wait counts within the
 * publish's own timeout: `acquire` rejects with the caller's error once
 * `timeoutMs` from the publish's start has passed.
 *
 * A batch takes one slot per event (at most `limit`, so a batch larger than
 * the window still goes out alone). The fast path — a free slot, nobody
 * waiting — is `tryAcquire`, no promise and no timer. One timer serves every
 * waiter: they all have the same timeout, so they expire in the order they came.
 */
export class PublishWindow {
  private inFlight = 0;
  private readonly waiters = new Deque<Waiter>();
  private waiting = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private emptyWaiters: Array<() => void> = [];

  constructor(
    readonly limit: number,
    private readonly timeoutMs: number,
  ) {}

  /** Slots taken (publishes awaiting their reply, counted by weight). */
  get used(): number {
    return this.inFlight;
  }

  /** Publishes waiting for a slot. */
  get queued(): number {
    return this.waiting;
  }

  /** Takes `weight` slots at once when they are free and nobody waits before; false otherwise. */
  tryAcquire(weight = 1): boolean {
    const w = weight < this.limit ? weight : this.limit;
    if (this.waiting > 0 || this.inFlight + w > this.limit) return false;
    this.inFlight += w;
    return true;
  }

  /**
   * Waits, in order, for `weight` slots; resolves with them taken. Rejects
   * with `onTimeout()` once `timeoutMs` from `startedAt` (a `performance.now()`
   * reading, default now) has passed without a slot.
   */
  acquire(onTimeout: () => Error, weight = 1, startedAt = clock.now()): Promise<void> {
    if (this.tryAcquire(weight)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const w = weight < this.limit ? weight : this.limit;
      this.waiters.push({ weight: w, deadline: startedAt + this.timeoutMs, resolve, reject, onTimeout, settled: false });
      this.waiting++;
      if (this.timer === undefined) this.arm();
    });
  }

  /** Gives back `weight` slots (a publish settled) and lets waiters in. */
  release(weight = 1): void {
    this.inFlight -= weight < this.limit ? weight : this.limit;
    if (this.inFlight < 0) this.inFlight = 0;
    this.admit();
  }

  /** Resolves once no publish holds a slot or waits for one (close waits for this). */
  whenEmpty(): Promise<void> {
    if (this.inFlight === 0 && this.waiting === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  /** Rejects every waiting publish (the bus is closing). */
  rejectAll(error: Error): void {
    for (let w = this.waiters.shift(); w !== undefined; w = this.waiters.shift()) {
      if (w.settled) continue;
      w.settled = true;
      w.reject(error);
    }
    this.waiting = 0;
    this.disarm();
  }

  private admit(): void {
    for (;;) {
      const w = this.waiters.shift();
      if (w === undefined) break;
      if (w.settled) continue;
      if (this.inFlight + w.weight > this.limit) {
        this.waiters.unshift(w);
        break;
      }
      w.settled = true;
      this.waiting--;
      this.inFlight += w.weight;
      w.resolve();
    }
    if (this.waiting === 0) this.disarm();
    if (this.inFlight === 0 && this.waiting === 0 && this.emptyWaiters.length > 0) {
      const waiters = this.emptyWaiters;
      this.emptyWaiters = [];
      for (const w of waiters) w();
    }
  }

  private arm(): void {
    const first = this.firstWaiting();
    if (first === undefined) return;
    this.timer = setTimeout(() => this.expire(), Math.max(0, first.deadline - clock.now()) + 1);
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private firstWaiting(): Waiter | undefined {
    for (;;) {
      const w = this.waiters.shift();
      if (w === undefined) return undefined;
      if (!w.settled) {
        this.waiters.unshift(w);
        return w;
      }
    }
  }

  private expire(): void {
    this.timer = undefined;
    const now = clock.now();
    for (;;) {
      const first = this.firstWaiting();
      if (first === undefined || first.deadline > now) break;
      this.waiters.shift();
      first.settled = true;
      this.waiting--;
      first.reject(first.onTimeout());
    }
    this.arm();
    this.admit();
  }
}
