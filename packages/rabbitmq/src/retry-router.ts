import type { Logger } from '@herald/core';
import type { MessageProperties } from 'amqplib';
import type { AdminChannels } from './admin-channel.js';
import { UnroutableError, type ConfirmPublisher } from './confirm-publisher.js';
import { copyProperties, HEADERS } from './message.js';
import type { Topology } from './topology.js';

/** Re-declare a delay queue this often while it is used, well inside its idle expiry. */
const REDECLARE_AFTER_MS = 5 * 60 * 1000;

export interface RetryRequest {
  content: Buffer;
  properties: MessageProperties;
  /** The subscription queue the retry must come back to. */
  queue: string;
  /** The attempt the redelivery will be (2 after the first failure). */
  attempt: number;
  delayMs: number;
  eventId?: string | undefined;
  eventType?: string | undefined;
}

/**
 * Broker-side retries. A failed delivery is copied, with the next attempt
 * number in a header, into the delay queue for its backoff; the broker holds
 * it there (durable, persistent) and dead-letters it back to the subscription
 * queue when the TTL ends. The caller acks the original only after this
 * resolves (the copy is confirmed), so a crash at any point loses nothing —
 * at worst the handler sees the attempt twice.
 */
export class RetryRouter {
  private readonly declared = new Map<number, { at: number; ready: Promise<void> }>();

  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly topology: Topology,
    private readonly admin: AdminChannels,
    private readonly logger: Logger,
  ) {}

  async schedule(req: RetryRequest): Promise<void> {
    const ms = delayBucket(req.delayMs);
    const headers: Record<string, unknown> = { [HEADERS.attempt]: req.attempt };
    // Properties are copied at each send, so they carry the headers as they are then.
    const publishTo = (exchange: string) =>
      this.publisher.publish({
        exchange,
        routingKey: req.queue,
        content: req.content,
        options: copyProperties(req.properties, headers),
        mandatory: true,
        eventId: req.eventId,
        eventType: req.eventType,
      });
    if (ms === 0) {
      // No wait: straight back to the subscription queue.
      await publishTo('');
      return;
    }
    headers[HEADERS.delay] = String(ms);
    const send = () => publishTo(this.topology.delayExchange);
    await this.ensureDelayQueue(ms);
    try {
      await send();
    } catch (error) {
      if (!(error instanceof UnroutableError)) throw error;
      // The delay queue is gone (deleted, or expired while idle): declare it again and resend once.
      this.logger.warn({ transport: 'rabbitmq', delayMs: ms, queue: this.topology.delayQueue(ms) }, 'retry delay queue missing; declaring it again');
      this.declared.delete(ms);
      await this.ensureDelayQueue(ms);
      await send();
    }
  }

  private ensureDelayQueue(ms: number): Promise<void> {
    const now = Date.now();
    const known = this.declared.get(ms);
    if (known && now - known.at < REDECLARE_AFTER_MS) return known.ready;
    const ready = this.admin.with((ch) => this.topology.declareDelayQueue(ch, ms));
    const entry = { at: now, ready };
    this.declared.set(ms, entry);
    ready.catch(() => {
      if (this.declared.get(ms) === entry) this.declared.delete(ms);
    });
    return ready;
  }
}

/**
 * Rounds a backoff to two significant digits (1,234 ms → 1,200 ms) so jittered
 * delays share a bounded set of delay queues; the error is at most 5%.
 */
export function delayBucket(delayMs: number): number {
  if (!(delayMs > 0)) return 0;
  if (delayMs < 100) return Math.max(1, Math.round(delayMs));
  const unit = 10 ** (Math.floor(Math.log10(delayMs)) - 1);
  return Math.round(delayMs / unit) * unit;
}
