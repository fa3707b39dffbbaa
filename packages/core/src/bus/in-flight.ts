/**
 * A count of work under way and the wait for it to reach zero: what a bus's
 * publishes, a subscription's handlers and a connection's commands each need
 * so that `close` can wait for them.
 */
export class InFlight {
  private count = 0;
  private idleWaiters: Array<() => void> = [];

  /** Work under way now. */
  get size(): number {
    return this.count;
  }

  /** One more piece of work began. */
  enter(): void {
    this.count++;
  }

  /** One piece of work ended; true when none is left (its waiters have been resumed). */
  leave(): boolean {
    if (--this.count > 0) return false;
    if (this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
    return true;
  }

  /** Resolves once no work is under way (at once when none is). */
  whenIdle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
