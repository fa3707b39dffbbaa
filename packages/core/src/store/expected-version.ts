import { ConcurrencyError, ValidationError } from '../errors.js';
import type { BaseEvent, DomainEvent } from '../events/types.js';
import { validateEvents } from '../events/validate-events.js';
import type { ExpectedVersion } from './types.js';

/** Argument checks shared by every store, so they all reject the same bad input the same way. */
export function validateAppend(streamId: unknown, events: unknown, expected: unknown): void {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new ValidationError('streamId', 'must be a non-empty string');
  }
  validateExpectedVersion(expected);
  validateEvents(events, 'events', domainEventProblem);
}

function domainEventProblem(event: BaseEvent): string | undefined {
  const { aggregateId, aggregateType } = event as DomainEvent;
  if (typeof aggregateId !== 'string' || typeof aggregateType !== 'string') {
    return 'must be a domain event with aggregateId and aggregateType';
  }
  return undefined;
}

export function validateExpectedVersion(expected: unknown): asserts expected is ExpectedVersion {
  if (expected === 'any' || expected === 'no-stream' || expected === 'stream-exists') return;
  if (typeof expected === 'number' && Number.isInteger(expected) && expected >= 0) return;
  throw new ValidationError(
    'expectedVersion',
    `must be an integer ≥ 0, 'any', 'no-stream' or 'stream-exists' (got ${JSON.stringify(expected)})`,
  );
}

export function expectedVersionMatches(expected: ExpectedVersion, actual: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no-stream':
      return actual === 0;
    case 'stream-exists':
      return actual > 0;
    default:
      return actual === expected;
  }
}

/** Throws ConcurrencyError when the stream is not where the caller expected. */
export function assertExpectedVersion(streamId: string, expected: ExpectedVersion, actual: number): void {
  if (!expectedVersionMatches(expected, actual)) throw new ConcurrencyError(streamId, expected, actual);
}

export function validateReadArgs(
  fromVersionOrPosition: unknown,
  name: 'fromVersion' | 'fromPosition',
  batchSize?: unknown,
): void {
  if (typeof fromVersionOrPosition !== 'number' || !Number.isInteger(fromVersionOrPosition) || fromVersionOrPosition < 0) {
    throw new ValidationError(name, 'must be an integer ≥ 0');
  }
  if (batchSize !== undefined && (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1)) {
    throw new ValidationError('batchSize', 'must be an integer ≥ 1');
  }
}
