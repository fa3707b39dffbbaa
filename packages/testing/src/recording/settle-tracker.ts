import { compilePattern, type BaseEvent } from '@herald/core';

interface Route {
  readonly pattern: string;
  readonly group: string | undefined;
  readonly matches: (type: string) => boolean;
  members: number;
  /** Event id → deliveries this route still owes (normally 1). */
  readonly pending: Map<string, { type: string; count: number }>;
}

/**
 * Bookkeeping behind `RecordingEventBus.settle()`: which subscriptions (a
 * group counts once) still owe a settlement — handled, filtered out, or given
 * up on — for which published events.
 */
export class SettleTracker {
  private readonly routes = new Map<string, Route>();
  private outstanding = 0;
  private waiters: Array<() => void> = [];

  static keyFor(subscription: { id: string; pattern: string; group?: string | undefined }): string {
    return subscription.group === undefined
      ? `sub:${subscription.id}`
      : `group:${subscription.group}:${subscription.pattern}`;
  }

  get pending(): number {
    return this.outstanding;
  }

  addMember(key: string, pattern: string, group: string | undefined): void {
    const route = this.routes.get(key);
    if (route) {
      route.members++;
      return;
    }
    const { matches } = compilePattern(pattern);
    this.routes.set(key, { pattern, group, matches, members: 1, pending: new Map() });
  }

  /** The last member of a route left: nothing more will be settled there. */
  removeMember(key: string): void {
    const route = this.routes.get(key);
    if (!route) return;
    route.members--;
    if (route.members > 0) return;
    this.routes.delete(key);
    for (const { count } of route.pending.values()) this.outstanding -= count;
    this.notify();
  }

  /** Records that every current route matching the event's type owes it a settlement; returns those routes. */
  expect(event: BaseEvent): string[] {
    const keys: string[] = [];
    if (typeof event?.type !== 'string' || typeof event.id !== 'string') return keys;
    for (const [key, route] of this.routes) {
      let matched: boolean;
      try {
        matched = route.matches(event.type);
      } catch {
        matched = false;
      }
      if (!matched) continue;
      const entry = route.pending.get(event.id);
      if (entry) entry.count++;
      else route.pending.set(event.id, { type: event.type, count: 1 });
      this.outstanding++;
      keys.push(key);
    }
    return keys;
  }

  /** The publish failed: take back what `expect` added. */
  retract(eventId: string, keys: readonly string[]): void {
    for (const key of keys) this.settle(key, eventId);
  }

  settle(key: string, eventId: string): void {
    const route = this.routes.get(key);
    const entry = route?.pending.get(eventId);
    if (!route || !entry) return;
    entry.count--;
    this.outstanding--;
    if (entry.count === 0) route.pending.delete(eventId);
    this.notify();
  }

  clear(): void {
    this.routes.clear();
    this.outstanding = 0;
    this.notify();
  }

  whenSettled(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** e.g. `"orders.*" (group billing): 2 unsettled (orders.created, orders.paid)`. */
  describePending(): string {
    const parts: string[] = [];
    for (const route of this.routes.values()) {
      if (route.pending.size === 0) continue;
      const types = [...route.pending.values()].map((p) => p.type);
      const shown = types.slice(0, 5).join(', ') + (types.length > 5 ? ', …' : '');
      const group = route.group === undefined ? '' : ` (group ${route.group})`;
      parts.push(`"${route.pattern}"${group}: ${types.length} unsettled (${shown})`);
    }
    return parts.join('; ');
  }

  private notify(): void {
    if (this.outstanding !== 0 || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
