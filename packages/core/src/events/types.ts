export interface EventMetadata {
  correlationId: string;
  causationId?: string;
  userId?: string;
  source: string;
  environment: string;
  /** W3C trace context, set by tracing middleware. */
  traceparent?: string;
  tracestate?: string;
  /**
   * The version of this event type's schema (the shape of data / payload). Absent means 1.
   * Upcasters (`createUpcasters`) bring older versions to the current one on read.
   */
  schemaVersion?: number;
  [key: string]: unknown;
}

export interface BaseEvent {
  id: string;
  /** Dot-separated words, e.g. `gamifier.points.awarded`. */
  type: string;
  timestamp: Date;
  /**
   * Domain events: the aggregate's version after the event (1-based). Other events: kept for
   * compatibility (default 1) and never interpreted; their schema version is `metadata.schemaVersion`.
   */
  version: number;
  metadata: EventMetadata;
}

export interface DomainEvent<TData extends Record<string, unknown> = Record<string, unknown>>
  extends BaseEvent {
  aggregateId: string;
  aggregateType: string;
  data: TData;
}

export interface IntegrationEvent<TPayload extends Record<string, unknown> = Record<string, unknown>>
  extends BaseEvent {
  service: string;
  action: string;
  payload: TPayload;
}

export type SystemEventLevel = 'info' | 'warning' | 'error' | 'critical';

export interface SystemEvent extends BaseEvent {
  level: SystemEventLevel;
  component: string;
  message: string;
  details?: Record<string, unknown>;
}

/** What a factory needs of metadata: the rest (correlationId) is filled in. */
export type MetadataInput = Partial<EventMetadata> & { source: string; environment: string };
