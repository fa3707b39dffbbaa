import { randomUUID } from 'node:crypto';
import type { BaseEvent } from '../events/types.js';
import { errorFields } from '../logger.js';
import type { DeadLetterRecord } from './types.js';

export function createDeadLetterRecord(input: {
  event?: BaseEvent;
  raw?: Uint8Array | string;
  error: Error;
  attempts: number;
  pattern: string;
  group?: string | undefined;
}): DeadLetterRecord {
  const record: DeadLetterRecord = {
    id: randomUUID(),
    error: errorFields(input.error),
    attempts: input.attempts,
    pattern: input.pattern,
    failedAt: new Date(),
  };
  if (input.event !== undefined) record.event = input.event;
  if (input.raw !== undefined) {
    record.raw = typeof input.raw === 'string' ? input.raw : Buffer.from(input.raw).toString('utf8');
  }
  if (input.group !== undefined) record.group = input.group;
  return record;
}
