import { PublishError, type BaseEvent } from '@herald/core';
import type { CommandFailure } from './command-connection.js';

const WHY: Record<CommandFailure, string> = {
  unavailable: 'Redis is not reachable',
  timeout: 'no reply within the publish timeout',
  lost: 'the connection dropped before Redis replied; the event may or may not have been published',
  rejected: 'the command failed',
};

/** The PublishError a caller gets; `cause` is already stripped of payloads and secrets. */
export function publishError(event: BaseEvent | undefined, error: Error, failure: CommandFailure, batchSize?: number): PublishError {
  const what = event ? `${event.type} (${event.id})` : `a batch of ${batchSize ?? '?'} events`;
  return new PublishError(`redis-pubsub: could not publish ${what}: ${WHY[failure]} (${error.message})`, {
    eventId: event?.id,
    eventType: event?.type,
    cause: error,
  });
}
