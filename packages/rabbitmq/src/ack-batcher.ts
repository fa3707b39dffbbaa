import { Deque } from '@herald/core/transport';
import type { Channel, ConsumeMessage } from 'amqplib';

interface Entry {
  readonly msg: ConsumeMessage;
  readonly tag: number;
  settled: boolean;
  /** An ack or nack for this tag has been sent (individually). */
  sent: boolean;
}

/**
 * Acknowledges one channel's deliveries with as few frames as is safe. Acks
 * settled in one event-loop turn go out together at the end of it: one
 * `multiple` ack for the longest run of settled deliveries at the front (all
 * handled in order, the common case at concurrency 1), and single acks for
 * any settled out of order behind a delivery still running, so nothing waits
 * on a slow handler. Requeues (nacks) go out at once. Every tag is acked
 * exactly once — a `multiple` ack never names a tag that was already acked,
 * which the broker would reject.
 */
export class AckBatcher {
  private readonly outstanding = new Deque<Entry>();
  private readonly byTag = new Map<number, Entry>();
  private pendingAcks = 0;
  private scheduled = false;
  private dead = false;

  constructor(private readonly channel: Channel) {}

  /** Registers a delivery, in the order the channel delivered it. */
  track(msg: ConsumeMessage): void {
    const entry: Entry = { msg, tag: msg.fields.deliveryTag, settled: false, sent: false };
    this.outstanding.push(entry);
    this.byTag.set(entry.tag, entry);
  }

  ack(msg: ConsumeMessage): void {
    const entry = this.byTag.get(msg.fields.deliveryTag);
    if (!entry || entry.settled || this.dead) return;
    entry.settled = true;
    this.pendingAcks++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Gives the message back to the queue now. */
  requeue(msg: ConsumeMessage): void {
    const entry = this.byTag.get(msg.fields.deliveryTag);
    if (!entry || entry.settled || this.dead) return;
    entry.settled = true;
    entry.sent = true;
    this.byTag.delete(entry.tag);
    this.send(() => this.channel.nack(msg, false, true));
  }

  /** The channel closed: the broker requeued whatever was not acked; forget it all. */
  close(): void {
    this.dead = true;
    this.outstanding.drain();
    this.byTag.clear();
  }

  /** Sends what is settled now (also called before the channel is closed on purpose). */
  flush(): void {
    this.scheduled = false;
    if (this.dead || this.pendingAcks === 0) return;
    // The settled run at the front: one multiple ack, naming its last tag not yet acked.
    let last: Entry | undefined;
    for (;;) {
      const head = this.outstanding.shift();
      if (head === undefined) break;
      if (!head.settled) {
        this.outstanding.unshift(head);
        break;
      }
      this.byTag.delete(head.tag);
      if (!head.sent) {
        last = head;
        this.pendingAcks--;
      }
    }
    if (last !== undefined) {
      const target = last;
      this.send(() => this.channel.ack(target.msg, true));
    }
    // Settled behind a delivery still running: single acks, so the prefetch window keeps moving.
    if (this.pendingAcks > 0) {
      for (const entry of this.byTag.values()) {
        if (entry.settled && !entry.sent) {
          entry.sent = true;
          this.pendingAcks--;
          const msg = entry.msg;
          this.send(() => this.channel.ack(msg, false));
        }
      }
    }
  }

  private send(frame: () => void): void {
    try {
      frame();
    } catch {
      // The channel is closing: the broker requeues what was not acked.
      this.close();
    }
  }
}
