import { propagation, trace, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import type { EventMetadata } from '@herald/core';
import { formatTraceparent, parseTraceparent } from './w3c-trace-context.js';

type Carrier = Record<string, unknown>;

const setter: TextMapSetter<Carrier> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

/** Reads only string entries: metadata also holds user fields of any type. */
const getter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

/** A propagator other than the api's no-op one has been registered (e.g. by the OpenTelemetry SDK). */
function globalPropagatorSet(): boolean {
  return propagation.fields().length > 0;
}

/**
 * The trace context of `context` as metadata entries: through the global propagator
 * when one is set (so baggage or vendor headers travel too), and always a W3C
 * `traceparent`/`tracestate`, formatted here if the propagator did not write one.
 */
export function injectTraceContext(context: Context): Partial<EventMetadata> {
  const carrier: Carrier = {};
  if (globalPropagatorSet()) propagation.inject(context, carrier, setter);
  if (typeof carrier.traceparent !== 'string') {
    const spanContext = trace.getSpanContext(context);
    const traceparent = spanContext === undefined ? undefined : formatTraceparent(spanContext);
    if (traceparent !== undefined) {
      carrier.traceparent = traceparent;
      const tracestate = spanContext?.traceState?.serialize();
      if (tracestate) carrier.tracestate = tracestate;
    }
  }
  return carrier as Partial<EventMetadata>;
}

/**
 * `base` with the remote span context carried in `metadata`, when there is one: through
 * the global propagator when set, else (or when it does not read `traceparent`) with the
 * built-in W3C parser.
 */
export function extractTraceContext(base: Context, metadata: EventMetadata): Context {
  let context = base;
  if (globalPropagatorSet()) {
    context = propagation.extract(base, metadata as Carrier, getter);
    if (propagation.fields().includes('traceparent')) return context;
  }
  const remote = parseTraceparent(metadata.traceparent, metadata.tracestate);
  return remote === undefined ? context : trace.setSpanContext(context, remote);
}

/** Whether the metadata carries a parseable `traceparent`. */
export function hasTraceparent(metadata: EventMetadata): boolean {
  return parseTraceparent(metadata.traceparent) !== undefined;
}
