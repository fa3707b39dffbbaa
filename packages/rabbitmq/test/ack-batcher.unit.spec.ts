import type { Channel, ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { AckBatcher } from '../src/ack-batcher.js';

/** A channel that records ack/nack frames and, like the broker, rejects a tag acked twice. */
function fakeChannel() {
  const frames: string[] = [];
  const unacked = new Set<number>();
  const ch = {
    ack(msg: ConsumeMessage, allUpTo = false) {
      const tag = msg.fields.deliveryTag;
      if (!unacked.has(tag)) throw new Error(`PRECONDITION_FAILED - unknown delivery tag ${tag}`);
      if (allUpTo) for (const t of [...unacked]) if (t <= tag) unacked.delete(t);
      unacked.delete(tag);
      frames.push(`${allUpTo ? 'ack≤ ' : 'ack '}${tag}`);
    },
    nack(msg: ConsumeMessage, _allUpTo: boolean, requeue: boolean) {
      const tag = msg.fields.deliveryTag;
      if (!unacked.has(tag)) throw new Error(`PRECONDITION_FAILED - unknown delivery tag ${tag}`);
      unacked.delete(tag);
      frames.push(`nack ${tag}${requeue ? ' requeue' : ''}`);
    },
  };
  const deliver = (tag: number) => {
    unacked.add(tag);
    return { fields: { deliveryTag: tag }, properties: {}, content: Buffer.alloc(0) } as unknown as ConsumeMessage;
  };
  return { ch: ch as unknown as Channel, frames, unacked, deliver };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('AckBatcher', () => {
  it('acks an in-order run with one multiple ack at the end of the turn', async () => {
    const { ch, frames, unacked, deliver } = fakeChannel();
    const acks = new AckBatcher(ch);
    const msgs = [1, 2, 3, 4, 5].map(deliver);
    for (const m of msgs) acks.track(m);
    for (const m of msgs) acks.ack(m);
    expect(frames).toEqual([]);
    await tick();
    expect(frames).toEqual(['ack≤ 5']);
    expect(unacked.size).toBe(0);
  });

  it('acks deliveries settled behind a running one singly, then covers the rest without naming an acked tag', async () => {
    const { ch, frames, unacked, deliver } = fakeChannel();
    const acks = new AckBatcher(ch);
    const [m1, m2, m3, m4] = [1, 2, 3, 4].map(deliver);
    for (const m of [m1, m2, m3, m4]) acks.track(m!);
    // 1 is still running; 2 and 4 finish
    acks.ack(m2!);
    acks.ack(m4!);
    await tick();
    expect(frames.sort()).toEqual(['ack 2', 'ack 4']);
    // then 1 and 3 finish: one multiple ack naming 3 (4 was already acked)
    acks.ack(m1!);
    acks.ack(m3!);
    await tick();
    expect(frames.at(-1)).toBe('ack≤ 3');
    expect(unacked.size).toBe(0);
  });

  it('requeues at once and never acks a requeued tag', async () => {
    const { ch, frames, unacked, deliver } = fakeChannel();
    const acks = new AckBatcher(ch);
    const [m1, m2, m3] = [1, 2, 3].map(deliver);
    for (const m of [m1, m2, m3]) acks.track(m!);
    acks.ack(m1!);
    acks.requeue(m2!);
    expect(frames).toEqual(['nack 2 requeue']);
    acks.ack(m3!);
    await tick();
    expect(frames).toEqual(['nack 2 requeue', 'ack≤ 3']);
    expect(unacked.size).toBe(0);
  });

  it('ignores a second settle and sends nothing after the channel closed', async () => {
    const { ch, frames, deliver } = fakeChannel();
    const acks = new AckBatcher(ch);
    const m = deliver(1);
    acks.track(m);
    acks.ack(m);
    acks.ack(m);
    acks.requeue(m);
    await tick();
    expect(frames).toEqual(['ack≤ 1']);
    const m2 = deliver(2);
    acks.track(m2);
    acks.close();
    acks.ack(m2);
    await tick();
    expect(frames).toEqual(['ack≤ 1']);
  });

  it('flushes on demand (before a deliberate channel close)', () => {
    const { ch, frames, deliver } = fakeChannel();
    const acks = new AckBatcher(ch);
    const m = deliver(7);
    acks.track(m);
    acks.ack(m);
    acks.flush();
    expect(frames).toEqual(['ack≤ 7']);
  });
});
