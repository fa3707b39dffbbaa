/**
 * pino-compatible logging: fields first, message second. The default logs
 * nothing. Herald never passes whole event payloads above debug level, nor
 * passwords or connection URLs with credentials.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const noop = () => {};
export const noopLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** The fields Herald logs for an event: identity and routing only, never the payload. */
export function eventLogFields(event: { id?: unknown; type?: unknown; metadata?: { correlationId?: unknown } }) {
  return { eventId: event.id, eventType: event.type, correlationId: event.metadata?.correlationId };
}

/** Serialises an error for logs and dead letters without its (possibly huge) cause chain. */
export function errorFields(error: Error): { name: string; message: string; stack?: string } {
  return error.stack === undefined
    ? { name: error.name, message: error.message }
    : { name: error.name, message: error.message, stack: error.stack };
}
