export { openTelemetryMiddleware, TRACER_NAME, type OpenTelemetryMiddlewareOptions } from './open-telemetry-middleware.js';
export { formatTraceparent, parseTraceparent } from './w3c-trace-context.js';
export { ATTR as MESSAGING_ATTRIBUTES } from './attributes.js';
