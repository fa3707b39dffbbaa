import { ConnectionError, HeraldError } from '@herald/core';

/**
 * The broker could not be reached or refused the connection. Its message names
 * the endpoint without credentials; `cause` is a scrubbed copy of the client's
 * error. A core ConnectionError: code `CONNECTION`.
 */
export class RabbitMQConnectionError extends ConnectionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RabbitMQConnectionError';
  }
}

/**
 * A queue the bus declares already exists on the broker with other settings
 * (classic vs quorum, another TTL or dead-letter strategy, …): RabbitMQ refuses
 * the declaration (PRECONDITION_FAILED) and the bus will not use or change the
 * queue. Delete the queue (losing its messages) or configure the bus like it,
 * e.g. `queueType`. Code `CONFIG`: retrying cannot help.
 */
export class QueueArgumentsMismatchError extends HeraldError {
  constructor(
    /** The queue's name. */
    readonly queue: string,
    /** The setting that differs: `x-queue-type`, `x-message-ttl`, `durable`, … */
    readonly argument: string,
    /** What the queue on the broker has (`none` when unset). */
    readonly existing: string,
    /** What the bus declared (`none` when unset). */
    readonly declared: string,
  ) {
    super(
      'CONFIG',
      `queue "${queue}" already exists with ${argument} = ${existing}, but this bus declares ${argument} = ${declared}` +
        ' (RabbitMQ refused the declaration: PRECONDITION_FAILED); delete the queue or configure the bus like it (e.g. queueType)',
    );
  }
}
