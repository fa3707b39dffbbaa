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

function checkMetadata(input: CommonInput): void {
  if (input.metadata === null || typeof input.metadata !== 'object') {
    // A TypeError from reading correlationId would not say what is missing.
    throw new ValidationError('metadata', 'must be an object with at least source and environment');
  }
}

/**
 * The caller's metadata with a correlation id. Copied key by key rather than
 * spread: spread plus an extra key gives nearly every event's metadata its own
 * hidden class in V8, which makes every later read of it (validation, encoding)
 * several times slower. An own `__proto__` key stays plain data, as with spread.
 */
function metadataOf(input: CommonInput): EventMetadata {
  const source = input.metadata as Record<string, unknown>;
  const metadata: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (key === '__proto__') {
      Object.defineProperty(metadata, key, { value: source[key], enumerable: true, writable: true, configurable: true });
    } else {
      metadata[key] = source[key];
    }
  }
  metadata.correlationId = input.metadata.correlationId ?? randomUUID();
  return metadata as EventMetadata;
}

export function createDomainEvent<TData extends Record<string, unknown>>(
  input: CommonInput & { aggregateId: string; aggregateType: string; data: TData },
): DomainEvent<TData> {
  checkMetadata(input);
  // One literal with a fixed key order: every event of a kind shares one hidden class.
  const event: DomainEvent<TData> = {
    id: input.id ?? randomUUID(),
    type: input.type,
    timestamp: input.timestamp ?? new Date(),
    version: input.version ?? 1,
    metadata: metadataOf(input),
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
  checkMetadata(input);
  const event: IntegrationEvent<TPayload> = {
    id: input.id ?? randomUUID(),
    type: input.type,
    timestamp: input.timestamp ?? new Date(),
    version: input.version ?? 1,
    metadata: metadataOf(input),
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
  checkMetadata(input);
  const event: SystemEvent = {
    id: input.id ?? randomUUID(),
    type: input.type,
    timestamp: input.timestamp ?? new Date(),
    version: input.version ?? 1,
    metadata: metadataOf(input),
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
