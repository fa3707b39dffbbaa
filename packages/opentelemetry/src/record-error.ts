import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR } from './attributes.js';

/** Marks the span failed: an `exception` event, `error.type`, and status ERROR with the message. */
export function recordError(span: Span, thrown: unknown): void {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  span.recordException(error);
  span.setAttribute(ATTR.errorType, error.name || 'Error');
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}
