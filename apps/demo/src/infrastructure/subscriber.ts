import type { BaseEvent, EventHandler } from '@herald/core';

/** A handler that knows what it listens to: the app subscribes each one the same way on every transport. */
export interface Subscriber extends EventHandler<BaseEvent> {
  readonly pattern: string;
  readonly concurrency: number;
}
