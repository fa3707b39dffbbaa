import type { Channel, Options } from 'amqplib';
import { QueueArgumentsMismatchError } from './errors.js';
import type { QueueType } from './options.js';

/**
 * The declaration of every durable queue the bus owns, in one place (the
 * package README lists them). With `queueType: 'quorum'` all of them are
 * quorum queues, replicated over the cluster's nodes:
 *
 * - group queue `${prefix}${group}`: `x-queue-type: quorum`;
 * - dead-letter queue `${prefix}dead-letters`: `x-queue-type: quorum`. Events
 *   reach it by a confirmed publish (the original is acked only after the
 *   confirm), so that hop is at-least-once whatever the queue type;
 * - delay queue `${prefix}retry.${ms}ms`: `x-message-ttl`, `x-expires`,
 *   `x-dead-letter-exchange: ""` and, for quorum, `x-dead-letter-strategy:
 *   at-least-once` with `x-overflow: reject-publish` (the strategy needs it).
 *   Without them a quorum queue dead-letters at most once: a retry whose TTL
 *   ended while the group queue's leader was moving would be dropped.
 *
 * Classic queues keep no type argument, as they were always declared, so a bus
 * upgraded from an earlier version declares its existing queues identically.
 */
/** A group queue or the dead-letter queue. */
export function durableQueueOptions(queueType: QueueType): Options.AssertQueue {
  return durable(queueType, {});
}

export function delayQueueOptions(queueType: QueueType, ttlMs: number, idleMs: number): Options.AssertQueue {
  const args: Record<string, unknown> = {
    'x-message-ttl': ttlMs,
    'x-dead-letter-exchange': '',
    'x-expires': ttlMs + idleMs,
  };
  if (queueType === 'quorum') {
    args['x-dead-letter-strategy'] = 'at-least-once';
    args['x-overflow'] = 'reject-publish';
  }
  return durable(queueType, args);
}

function durable(queueType: QueueType, args: Record<string, unknown>): Options.AssertQueue {
  if (queueType === 'quorum') return { durable: true, arguments: { 'x-queue-type': 'quorum', ...args } };
  return Object.keys(args).length === 0 ? { durable: true } : { durable: true, arguments: args };
}

/**
 * `assertQueue`, turning RabbitMQ's PRECONDITION_FAILED for a queue that exists
 * with other arguments into a QueueArgumentsMismatchError naming the queue and
 * both settings. (The broker closes the channel either way.)
 */
export async function assertQueueChecked(ch: Channel, queue: string, options: Options.AssertQueue): Promise<void> {
  try {
    await ch.assertQueue(queue, options);
  } catch (error) {
    throw queueMismatch(error) ?? error;
  }
}

// PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'q' in vhost '/':
//   received 'quorum' but current is 'classic'
//   received none but current is the value 'quorum' of type 'longstr'
const INEQUIVALENT = /inequivalent arg '([^']+)' for queue '((?:[^']|'(?! in vhost))*)' in vhost '[^']*': received (.+?) but current is (.+?)"?$/;

/** The mismatch RabbitMQ reported, or undefined when `error` is something else. */
export function queueMismatch(error: unknown): QueueArgumentsMismatchError | undefined {
  if (!(error instanceof Error)) return undefined;
  const m = INEQUIVALENT.exec(error.message);
  if (!m) return undefined;
  const [, argument, queue, received, current] = m as unknown as [string, string, string, string, string];
  return new QueueArgumentsMismatchError(queue, argument, describe(argument, current), describe(argument, received));
}

function describe(argument: string, value: string): string {
  const quoted = /'([^']*)'/.exec(value);
  if (quoted) return quoted[1]!;
  // A queue declared without x-queue-type is a classic queue (or the vhost's default type).
  return argument === 'x-queue-type' ? 'classic (unset)' : 'none';
}
