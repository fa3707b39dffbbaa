import { createTraceState, isSpanContextValid, type SpanContext } from '@opentelemetry/api';

/**
 * The W3C Trace Context `traceparent` header
 * (https://www.w3.org/TR/trace-context/#traceparent-header), written and read here so
 * the package needs nothing beyond `@opentelemetry/api` when no global propagator is set.
 *
 *   version "-" trace-id "-" parent-id "-" trace-flags      e.g. 00-<32 hex>-<16 hex>-01
 *   0       2   3        35  36        52  53          55
 */

const LENGTH = 55;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);
const MAX_TRACESTATE_LENGTH = 512;

/** `00-<trace id>-<span id>-<flags>` for a valid span context, else undefined. */
export function formatTraceparent(spanContext: SpanContext): string | undefined {
  if (!isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/**
 * The remote span context in a `traceparent` (and optional `tracestate`), or undefined
 * when the header is malformed: version "ff", all-zero ids, anything but lower-case hex,
 * or extra fields on version 00 (later versions may append `-…`).
 */
export function parseTraceparent(traceparent: unknown, tracestate?: unknown): SpanContext | undefined {
  if (typeof traceparent !== 'string' || traceparent.length < LENGTH) return undefined;
  const tp = traceparent;
  if (tp[2] !== '-' || tp[35] !== '-' || tp[52] !== '-') return undefined;
  if (!isLowerHex(tp, 0, 2) || !isLowerHex(tp, 3, 35) || !isLowerHex(tp, 36, 52) || !isLowerHex(tp, 53, 55)) return undefined;
  const version = tp.slice(0, 2);
  if (version === 'ff') return undefined;
  if (tp.length > LENGTH && (version === '00' || tp[LENGTH] !== '-')) return undefined;
  const traceId = tp.slice(3, 35);
  const spanId = tp.slice(36, 52);
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  const spanContext: SpanContext = { traceId, spanId, traceFlags: Number.parseInt(tp.slice(53, 55), 16), isRemote: true };
  if (typeof tracestate === 'string' && tracestate.length > 0 && tracestate.length <= MAX_TRACESTATE_LENGTH) {
    // The api's TraceState drops entries that are not valid list members.
    spanContext.traceState = createTraceState(tracestate);
  }
  return spanContext;
}

function isLowerHex(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
