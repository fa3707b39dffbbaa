import type { BaseEvent, EventHandler } from '@herald/core';
import type { Subscriber } from '../infrastructure/subscriber.js';
import { isPlayerEvent, type PlayerEvent } from '../domain/events.js';

export class AuditWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditWriteError';
  }
}

// Control characters (other than tab) that the audit log format cannot hold.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/**
 * Appends every player event to a compliance audit log (kept in memory here).
 * The log's line format cannot hold control characters, so an event whose
 * text carries one fails on every attempt: a poison event, dead-lettered after
 * the retries, with nothing else held up.
 */
export class AuditTrail implements EventHandler<BaseEvent>, Subscriber {
  readonly pattern = 'gamifier.#';
  readonly concurrency = 4;
  private readonly lines: string[] = [];
  private readonly max: number;

  constructor(options: { maxLines?: number } = {}) {
    this.max = options.maxLines ?? 10_000;
  }

  filter(event: BaseEvent): boolean {
    return isPlayerEvent(event as PlayerEvent);
  }

  async handle(event: BaseEvent): Promise<void> {
    const e = event as PlayerEvent;
    const text = JSON.stringify(e.data);
    if (Object.values(e.data).some((v) => typeof v === 'string' && CONTROL.test(v))) {
      throw new AuditWriteError(`audit log cannot store event ${e.id}: its text contains a control character`);
    }
    this.lines.push(`${e.timestamp.toISOString()} ${e.aggregateId} v${e.version} ${e.type} ${text}`);
    if (this.lines.length > this.max) this.lines.shift();
  }

  get size(): number {
    return this.lines.length;
  }
}
