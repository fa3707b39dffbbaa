import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors.js';
import type {
  BaseEvent,
  DomainEvent,
  EventMetadata,
  IntegrationEvent,
  MetadataInput,
  SystemEvent,
  SystemEventLevel,
} from './types.js';
import { validateEvent } from './validate.js';

interface CommonInput {
  type: string;
  metadata: MetadataInput;
  id?: string;
  timestamp?: Date;
  version?: number;
}

function base(input: CommonInput): BaseEvent {
  if (input.metadata === null || typeof input.metadata !== 'object') {
    // A TypeError from reading correlationId would not say what is missing.
    throw new ValidationError('metadata', 'must be an object with at least source and environment');
  }
  const metadata: EventMetadata = {
    ...input.metadata,
    correlationId: input.metadata.correlationId ?? randomUUID(),
  } as EventMetadata;
  return {
    id: input.id ?? randomUUID(),
    type: input.type,
    timestamp: input.timestamp ?? new Date(),
    version: input.version ?? 1,
    metadata,
  };
}

export function createDomainEvent<TData extends Record<string, unknown>>(
  input: CommonInput & { aggregateId: string; aggregateType: string; data: TData },
): DomainEvent<TData> {
  const event: DomainEvent<TData> = {
    ...base(input),
    aggregateId: input.aggregateId,
    aggregateType: input.aggregateType,
    data: input.data,
  };
  validateEvent(event);
  return event;
}

export function createIntegrationEvent<TPayload extends Record<string, unknown>>(
  input: CommonInput & { service: string; action: string; payload: TPayload },
): IntegrationEvent<TPayload> {
  const event: IntegrationEvent<TPayload> = {
    ...base(input),
    service: input.service,
    action: input.action,
    payload: input.payload,
  };
  validateEvent(event);
  return event;
}

export function createSystemEvent(
  input: CommonInput & {
    level: SystemEventLevel;
    component: string;
    message: string;
    details?: Record<string, unknown>;
  },
): SystemEvent {
  const event: SystemEvent = {
    ...base(input),
    level: input.level,
    component: input.component,
    message: input.message,
    ...(input.details === undefined ? {} : { details: input.details }),
  };
  validateEvent(event);
  return event;
}

/**
 * Metadata for an event caused by `parent`: same correlation id, causation id =
 * the parent's id, and the parent's source/environment/user unless overridden.
 */
export function causedBy(parent: BaseEvent, overrides: Partial<EventMetadata> = {}): MetadataInput {
  const { traceparent: _tp, tracestate: _ts, ...inherited } = parent.metadata;
  return {
    ...inherited,
    ...overrides,
    correlationId: parent.metadata.correlationId,
    causationId: parent.id,
  };
}
