import type { BaseEvent, DeadLetterRecord } from '@herald/core';
import { createDeadLetterRecord } from '@herald/core/transport';
import type { MessageProperties } from 'amqplib';

interface WaitingRetry {
  readonly event: BaseEvent;
  readonly error: Error;
  /** Attempts already made. */
  readonly attempts: number;
  readonly content: Buffer;
  readonly properties: MessageProperties;
}

/**
 * The retries an ungrouped subscription has waiting on the broker. Its queue
 * exists only while it is subscribed, so a retry that comes due after
 * unsubscribe (or close) would expire into no queue and vanish: at stop, every
 * retry that has not come back is turned into a dead letter instead (the last
 * handler error, the attempts made), as the in-memory and Redis buses do.
 * A group's retries need none of this: its queue is durable.
 */
export class WaitingRetries {
  private readonly waiting = new Map<string, WaitingRetry>();

  get size(): number {
    return this.waiting.size;
  }

  /** A retry of `event` was scheduled; it comes back as `nextAttempt`. */
  add(nextAttempt: number, retry: WaitingRetry): () => void {
    const key = keyOf(retry.event.id, nextAttempt);
    this.waiting.set(key, retry);
    return () => this.waiting.delete(key);
  }

  /** The retry came back (delivered as `attempt`). */
  arrived(eventId: string, attempt: number): void {
    this.waiting.delete(keyOf(eventId, attempt));
  }

  /** Every retry that never came back, as dead-letter records with their bytes; forgets them. */
  drain(where: { pattern: string; group?: string | undefined }): Array<{ record: DeadLetterRecord; content: Buffer; properties: MessageProperties }> {
    const out = [...this.waiting.values()].map((r) => ({
      record: createDeadLetterRecord({ event: r.event, error: r.error, attempts: r.attempts, pattern: where.pattern, group: where.group }),
      content: r.content,
      properties: r.properties,
    }));
    this.waiting.clear();
    return out;
  }
}

function keyOf(eventId: string, attempt: number): string {
  return `${attempt}:${eventId}`;
}
