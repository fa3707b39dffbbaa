import { exponentialBackoff } from '@herald/core/transport';
import type { Channel, ConsumeMessage } from 'amqplib';
import { RabbitMQConnectionError } from './errors.js';
import { HEADERS } from './message.js';

/** Deliveries a sweep holds at once (its consumer's prefetch): enough to keep confirms streaming. */
const SWEEP_WINDOW = 500;
/** How long the consumer may stay quiet, nothing pending, before the sweep asks whether anything is left. */
const IDLE_CHECK_MS = 250;
/** How long a sweep waits at its end for what it gave back to be ready again. */
const READY_WAIT_MS = 15_000;
/** Between its checks: 5 ms doubling to 200 ms. */
const READY_POLL_BACKOFF = { initialMs: 5, maxMs: 200 };

/** What `visit` resolves with when it copied the message to the tail of the same queue (kept it). */
export const KEPT = 'kept' as const;

export interface SweepResult {
  /** Messages the sweep took and settled (acked after `visit` resolved). */
  settled: number;
  /** Why messages stayed in place (`visit` rejected); they were given back to the queue. */
  failures: unknown[];
}

/**
 * Walks a queue once, front to back, over exactly the messages ready when it
 * starts, handing each to `visit`. A message is acked only when its `visit`
 * resolves — after `visit` copied it somewhere and that copy was confirmed
 * (to the tail of the same queue to keep it, or elsewhere to move it) — so a
 * crash or a dropped connection at any point loses nothing: what was not acked
 * goes back to the queue (at worst a record exists twice). A `visit` that
 * rejects leaves its message in place.
 *
 * Why not read and give back: a classic queue takes time quadratic in the
 * number of messages it must requeue (`basic.recover`, a channel close or a
 * `nack` of 20,000 held messages: minutes before they are ready again), while
 * a confirmed copy to the tail and an ack cost the same per message whatever
 * the count, and leave every record ready the moment the sweep ends. Copies
 * kept in the same queue carry `sweepMark` in `x-herald-sweep`, so a sweep
 * that meets its own copy knows it has been all the way round (another
 * consumer took some of the messages it counted).
 */
export async function sweepQueue(
  ch: Channel,
  queue: string,
  sweepMark: string,
  visit: (msg: ConsumeMessage) => Promise<unknown>,
): Promise<SweepResult> {
  const { messageCount } = await ch.checkQueue(queue);
  if (messageCount === 0) return { settled: 0, failures: [] };
  await ch.prefetch(Math.min(SWEEP_WINDOW, messageCount));

  const failures: unknown[] = [];
  let received = 0;
  let settled = 0;
  /** Messages taken out of the queue for good (moved elsewhere, or a duplicate dropped). */
  let removed = 0;
  let pending = 0;
  let stopping = false;
  let lastDelivery = Date.now();
  let finish!: (error?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (error) => (error ? reject(error) : resolve());
  });
  // It may settle (the channel closing) before anything awaits it: never an unhandled rejection.
  finished.catch(() => undefined);
  const maybeDone = () => {
    if (stopping && pending === 0) finish();
  };
  const onClose = () => finish(new RabbitMQConnectionError(`the channel reading "${queue}" closed before the sweep ended`));
  ch.once('close', onClose);

  const onMessage = (msg: ConsumeMessage | null) => {
    if (msg === null) {
      finish(new RabbitMQConnectionError(`the broker cancelled the consumer of "${queue}" (queue deleted?)`));
      return;
    }
    lastDelivery = Date.now();
    if (stopping) return; // past the end: given back below
    if (msg.properties.headers?.[HEADERS.sweep] === sweepMark) {
      // Our own copy: everything ready at the start has been seen (others took the rest).
      stopping = true;
      maybeDone();
      return;
    }
    received++;
    if (received >= messageCount) stopping = true;
    pending++;
    visit(msg).then(
      (outcome) => {
        try {
          ch.ack(msg);
          settled++;
          if (outcome !== KEPT) removed++;
        } catch {
          // The channel closed: the broker gives the message back (its copy exists too: at worst a duplicate).
        }
      },
      (error: unknown) => {
        failures.push(error);
      },
    ).finally(() => {
      pending--;
      maybeDone();
    });
  };

  // Nothing delivered for a while and nothing pending: stop when the queue has nothing ready left for us.
  const idle = setInterval(() => {
    if (stopping || pending > 0 || Date.now() - lastDelivery < IDLE_CHECK_MS) return;
    ch.checkQueue(queue).then(
      ({ messageCount: ready }) => {
        if (ready === 0 && pending === 0 && !stopping) {
          stopping = true;
          maybeDone();
        }
      },
      () => undefined, // the channel closed: 'close' ends the sweep
    );
  }, IDLE_CHECK_MS);

  try {
    const { consumerTag } = await ch.consume(queue, onMessage, { noAck: false });
    try {
      await finished;
    } finally {
      await ch.cancel(consumerTag).catch(() => undefined);
    }
    // Whatever is still held — past the end, or left in place by a failed visit — goes back now.
    try {
      ch.nackAll(true);
    } catch {
      // Closed meanwhile: the broker gave them back already.
    }
    // A requeue is asynchronous (a quorum queue takes it through its log): wait until every record
    // that stays is ready again, so a list() right after this one sees them all.
    await untilReady(ch, queue, messageCount - removed);
    return { settled, failures };
  } finally {
    clearInterval(idle);
    ch.removeListener('close', onClose);
  }
}

/** Resolves once `queue` has at least `expected` ready messages, or after READY_WAIT_MS (others may have taken some). */
async function untilReady(ch: Channel, queue: string, expected: number): Promise<void> {
  const deadline = Date.now() + READY_WAIT_MS;
  for (let polls = 1; ; polls++) {
    const ready = await ch.checkQueue(queue).then(
      (q) => q.messageCount,
      () => Number.POSITIVE_INFINITY, // the channel closed: nothing more to wait for here
    );
    if (ready >= expected || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, exponentialBackoff(READY_POLL_BACKOFF, polls)));
  }
}
