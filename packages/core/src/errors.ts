/**
 * Every error Herald throws on purpose is a HeraldError with a stable `code`,
 * so callers can branch on `isHeraldError(e, 'CONCURRENCY')` instead of
 * matching messages or relying on `instanceof` across duplicated installs.
 */
export type HeraldErrorCode =
  | 'VALIDATION'
  | 'DECODE'
  | 'PUBLISH'
  | 'BUS_CLOSED'
  | 'UNSUPPORTED'
  | 'CONCURRENCY'
  | 'NO_HANDLER'
  | 'COMMAND_VALIDATION'
  | 'CONFIG'
  | 'TIMEOUT'
  | 'CONNECTION'
  | 'OVERFLOW'
  | 'STORE_CLOSED'
  | 'UPCAST'
  | 'INBOX_BUSY'
  | 'REDELIVERY_LIMIT';

/**
 * The brand every Herald error carries. `Symbol.for` gives the same symbol to every copy of
 * this package loaded in one process (two versions installed side by side, ESM and CJS), so
 * `isHeraldError` knows an error from another copy, while an error from another library that
 * merely has a `code` such as `'TIMEOUT'` is not mistaken for one.
 */
const HERALD_ERROR_BRAND: unique symbol = Symbol.for('@herald/core:HeraldError') as never;

export class HeraldError extends Error {
  readonly code: HeraldErrorCode;
  /** Always true: see isHeraldError. On the prototype, so it is neither enumerable nor serialised. */
  declare readonly [HERALD_ERROR_BRAND]: true;

  constructor(code: HeraldErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An event, pattern, option or argument that does not have the required shape. */
export class ValidationError extends HeraldError {
  /** Dotted path of the offending field, e.g. `metadata.correlationId`. */
  readonly field: string;
  /** What is wrong with the field, without the field: `message` is `${field}: ${reason}`. */
  readonly reason: string;
  constructor(field: string, reason: string, options?: { cause?: unknown }) {
    super('VALIDATION', `${field}: ${reason}`, options);
    this.field = field;
    this.reason = reason;
  }
}

/** Bytes that could not be turned into an event. Never reaches a handler. */
export class DecodeError extends HeraldError {
  readonly raw: Uint8Array;
  constructor(message: string, raw: Uint8Array, options?: { cause?: unknown }) {
    super('DECODE', message, options);
    this.raw = raw;
  }
}

/** The transport did not accept an event (not confirmed, unreachable, timed out). */
export class PublishError extends HeraldError {
  readonly eventId: string | undefined;
  readonly eventType: string | undefined;
  constructor(
    message: string,
    details: { eventId?: string; eventType?: string; cause?: unknown } = {},
  ) {
    super('PUBLISH', message, { cause: details.cause });
    this.eventId = details.eventId;
    this.eventType = details.eventType;
  }
}

/** The bus was closed; it accepts no more publishes or subscriptions. */
export class BusClosedError extends HeraldError {
  constructor(message = 'the event bus is closed') {
    super('BUS_CLOSED', message);
  }
}

/** The transport cannot do what was asked (e.g. consumer groups on Redis pub/sub). */
export class UnsupportedError extends HeraldError {
  readonly feature: string;
  constructor(feature: string, message: string) {
    super('UNSUPPORTED', message);
    this.feature = feature;
  }
}

/** An append whose expected version did not match the stream. Nothing was written. */
export class ConcurrencyError extends HeraldError {
  readonly streamId: string;
  readonly expectedVersion: string | number;
  readonly actualVersion: number;
  constructor(streamId: string, expectedVersion: string | number, actualVersion: number) {
    super(
      'CONCURRENCY',
      `stream "${shortId(streamId)}" expected version ${String(expectedVersion)} but is at ${actualVersion}`,
    );
    this.streamId = streamId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** Longest id a message quotes whole; longer ones are cut (the full id stays in the error's field). */
const MAX_ID_IN_MESSAGE = 64;

/** `id`, or its first 64 characters and `…`: a message (and every log line holding it) stays small whatever the id. */
function shortId(id: string): string {
  return id.length > MAX_ID_IN_MESSAGE ? `${id.slice(0, MAX_ID_IN_MESSAGE)}…` : id;
}

export class NoHandlerError extends HeraldError {
  readonly commandType: string;
  constructor(commandType: string) {
    super('NO_HANDLER', `no handler registered for command type "${commandType}"`);
    this.commandType = commandType;
  }
}

export class CommandValidationError extends HeraldError {
  readonly commandType: string;
  constructor(commandType: string, message = `command validation failed: ${commandType}`) {
    super('COMMAND_VALIDATION', message);
    this.commandType = commandType;
  }
}

/** A configuration value (usually an environment variable) that cannot be used. */
export class ConfigError extends HeraldError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super('CONFIG', `${variable}: ${message}`);
    this.variable = variable;
  }
}

/** An operation that did not complete within its bound. */
export class TimeoutError extends HeraldError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
  }
}

/**
 * A server (Redis, RabbitMQ, …) could not be reached, refused the connection
 * (wrong credentials, TLS failure) or was not ready within a bound. Transports
 * subclass it (`RedisConnectionError`, `RabbitMQConnectionError`), so callers
 * can branch on `isHeraldError(e, 'CONNECTION')` whatever the transport. The
 * message names the endpoint, never credentials; `cause`, when set, is already
 * stripped of secrets.
 */
export class ConnectionError extends HeraldError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECTION', message, options);
  }
}

/**
 * An event could not be brought to its type's current schema: a gap in the
 * upcaster chain (`toSchemaVersion` has no upcaster) or an upcaster that threw
 * or returned something that is not an event. The event is never handed on in
 * its old shape.
 */
export class UpcastError extends HeraldError {
  readonly eventType: string;
  readonly eventId: string | undefined;
  /** The schema version the failing step started from. */
  readonly fromSchemaVersion: number;
  /** The schema version the failing step should have produced. */
  readonly toSchemaVersion: number;
  constructor(
    details: { eventType: string; eventId?: string; fromSchemaVersion: number; toSchemaVersion: number; reason: string },
    options?: { cause?: unknown },
  ) {
    super(
      'UPCAST',
      `cannot upcast "${details.eventType}" from schema version ${details.fromSchemaVersion} to ${details.toSchemaVersion}: ${details.reason}`,
      options,
    );
    this.eventType = details.eventType;
    this.eventId = details.eventId;
    this.fromSchemaVersion = details.fromSchemaVersion;
    this.toSchemaVersion = details.toSchemaVersion;
  }
}

/**
 * An idempotent handler got a delivery of an event whose first delivery is still
 * being handled elsewhere. Thrown so the transport retries it later (by then it
 * is done and skipped, or the first handler failed and this one runs).
 */
export class InboxBusyError extends HeraldError {
  readonly key: string;
  constructor(key: string) {
    super('INBOX_BUSY', `event "${key}" is being handled by another delivery`);
    this.key = key;
  }
}

Object.defineProperty(HeraldError.prototype, HERALD_ERROR_BRAND, { value: true });

/**
 * A subscription's buffer was full (its `maxBufferedEvents`) and a transport that
 * cannot slow the publisher (Redis pub/sub) shed the event: it is in the dead
 * letters with this error instead of growing memory without bound.
 */
export class OverflowError extends HeraldError {
  /** The buffer's bound that was reached. */
  readonly maxBufferedEvents: number;
  /** @deprecated Use `maxBufferedEvents` (the same number). */
  readonly highWaterMark: number;
  constructor(
    maxBufferedEvents: number,
    message = `the subscription's buffer was full (maxBufferedEvents ${maxBufferedEvents}); the event was shed`,
  ) {
    super('OVERFLOW', message);
    this.maxBufferedEvents = maxBufferedEvents;
    this.highWaterMark = maxBufferedEvents;
  }
}

/** A store (event, snapshot, checkpoint store or inbox) used after its `close()`. */
export class StoreClosedError extends HeraldError {
  constructor(message = 'the event store is closed') {
    super('STORE_CLOSED', message);
  }
}

/**
 * True for Herald's errors, optionally of one code: an error carrying Herald's brand, from
 * this copy of core or any other loaded in the process. An error from another library is not
 * one, whatever its `code`.
 */
export function isHeraldError(error: unknown, code?: HeraldErrorCode): error is HeraldError {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as { [HERALD_ERROR_BRAND]?: unknown })[HERALD_ERROR_BRAND] !== true) return false;
  return code === undefined || (error as { code?: unknown }).code === code;
}

/** Normalises anything thrown into an Error, so handlers that throw strings still get reported. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : safeString(thrown));
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
