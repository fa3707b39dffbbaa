import { ValidationError } from '../errors.js';
import type { BaseEvent } from './types.js';

const EVENT_TYPE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/**
 * The longest event type, in UTF-8 bytes, on every transport: the AMQP routing-key limit
 * (RabbitMQ rejects longer keys), so an event accepted on one bus is accepted on all.
 * Types are ASCII, so this is also their length in characters.
 */
export const MAX_EVENT_TYPE_BYTES = 255;

/**
 * How deep objects and arrays may nest inside an event (its `data` is level 1). Deeper
 * values are rejected with a ValidationError, not left to overflow the stack of
 * JSON.stringify or of a handler that walks them.
 */
export const MAX_EVENT_DEPTH = 100;

/** Throws ValidationError naming the first bad field; returns the event typed when it is sound. */
export function validateEvent<T extends BaseEvent>(event: T): T;
export function validateEvent(event: unknown): BaseEvent;
export function validateEvent(event: unknown): BaseEvent {
  // Every publish and every append runs this, so a sound event takes a single allocation-free
  // pass that only answers yes or no; the pass below, which names the bad field, runs only
  // when that answer is no (or the type is new), and is the one that decides.
  if (isSoundEvent(event)) return event as BaseEvent;
  return explainEvent(event);
}

/**
 * `validateEvent`, returning an upper bound on the UTF-8 bytes of the event's JSON, counted
 * by the same walk (no second pass, no string built): the in-memory bus, which never
 * encodes, enforces the codec's size limit with it and encodes only an event whose bound is
 * over the limit. `Infinity` when only the naming pass accepted the event (a class instance
 * in its data): the caller then measures exactly.
 */
export function validateEventSize(event: unknown): number {
  if (isSoundEvent(event)) return lastSize;
  explainEvent(event);
  return Number.POSITIVE_INFINITY;
}

/*
 * The size bound, counted by the fast pass as it walks: per UTF-16 unit a JSON string takes
 * at most 6 bytes (`\u001f`, a lone surrogate), a number at most 24 characters, a Date 30
 * (its quoted toISOString()); every key adds its quotes, colon and comma, every element its
 * comma. Each walk function returns the bound of what it walked, or -1 for "not known to be
 * sound", so the count lives in registers, not in a module variable.
 */
/** The bound of the event the fast pass accepted last. */
let lastSize = 0;

/**
 * The fast pass: true only for an event `explainEvent` accepts, with the same checks in the
 * same terms. False means "not known to be sound" (a bad field, a type not seen yet): the
 * caller then runs `explainEvent`, which throws or accepts.
 */
function isSoundEvent(event: unknown): boolean {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  const e = event as Record<string, unknown>;
  const id = e.id;
  if (typeof id !== 'string' || id.length === 0) return false;
  const type = e.type;
  if (typeof type !== 'string' || !validTypes.has(type)) return false;
  const timestamp = e.timestamp;
  if (!(timestamp instanceof Date) || Number.isNaN(timestamp.getTime())) return false;
  const version = e.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) return false;
  const m = e.metadata;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
  const meta = m as Record<string, unknown>;
  const correlationId = meta.correlationId;
  const source = meta.source;
  const environment = meta.environment;
  if (typeof correlationId !== 'string' || correlationId.length === 0) return false;
  if (typeof source !== 'string' || source.length === 0) return false;
  if (typeof environment !== 'string' || environment.length === 0) return false;
  const causationId = meta.causationId;
  if (causationId !== undefined && typeof causationId !== 'string') return false;
  const userId = meta.userId;
  if (userId !== undefined && typeof userId !== 'string') return false;
  // The walk's ancestor stack is shared: a getter that validates another event during the
  // walk pushes above our entries, and however the walk ends the stack is back where it was.
  const base = depth;
  try {
    const bytes = objectSize(e);
    if (bytes < 0) return false;
    lastSize = bytes;
    return true;
  } finally {
    while (depth > base) ancestors[--depth] = undefined;
  }
}

/** The objects from the event down to the one being walked (0 … depth - 1): meeting one again is a cycle. */
const ancestors: Array<object | undefined> = [];
let depth = 0;

/**
 * The size bound of `value` (an object, not null, not a Date) when JSON can carry everything
 * inside it, else -1: the rules of `unserializable` below, as a yes/no. Only nested objects
 * recurse. Anything but a plain object or an array (a Map, a Buffer, a class instance) is
 * left to the naming pass.
 */
function objectSize(value: object): number {
  if (depth > MAX_EVENT_DEPTH) return -1;
  for (let i = 0; i < depth; i++) if (ancestors[i] === value) return -1;
  ancestors[depth++] = value;
  let bytes = 2; // [] or {}
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const n = valueSize(value[i]);
      if (n < 0) return -1;
      bytes += n + 1; // and a comma
    }
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return -1;
    // A plain object inherits only from Object.prototype, which has no enumerable keys.
    const rec = value as Record<string, unknown>;
    for (const key in rec) {
      const n = valueSize(rec[key]);
      if (n < 0) return -1;
      bytes += n + key.length * 6 + 4; // "key": and a comma
    }
  }
  ancestors[--depth] = undefined;
  return bytes;
}

/** The size bound of one value of an object or array, or -1; commonest kinds first. */
function valueSize(v: unknown): number {
  if (typeof v === 'string') return v.length * 6 + 2;
  if (typeof v === 'object') {
    if (v === null) return 4;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? -1 : 30;
    return objectSize(v);
  }
  if (typeof v === 'number') return Number.isFinite(v) ? 24 : -1;
  // true, false, or undefined (null in an array, nothing in an object); not bigint, function, symbol
  return typeof v === 'boolean' || v === undefined ? 5 : -1;
}

/** The naming pass: throws ValidationError for the first bad field, returns the event when sound. */
function explainEvent(event: unknown): BaseEvent {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new ValidationError('event', 'must be an object');
  }
  const e = event as Record<string, unknown>;
  if (typeof e.id !== 'string' || e.id.length === 0) {
    throw new ValidationError('id', 'must be a non-empty string');
  }
  validateEventType(e.type, 'type');
  if (!(e.timestamp instanceof Date) || Number.isNaN(e.timestamp.getTime())) {
    throw new ValidationError('timestamp', 'must be a valid Date');
  }
  if (typeof e.version !== 'number' || !Number.isInteger(e.version) || e.version < 0) {
    throw new ValidationError('version', 'must be a non-negative integer');
  }
  const m = e.metadata;
  if (m === null || typeof m !== 'object' || Array.isArray(m)) {
    throw new ValidationError('metadata', 'must be an object');
  }
  const meta = m as Record<string, unknown>;
  requireString(meta.correlationId, 'metadata.correlationId');
  requireString(meta.source, 'metadata.source');
  requireString(meta.environment, 'metadata.environment');
  if (meta.causationId !== undefined && typeof meta.causationId !== 'string') {
    throw new ValidationError('metadata.causationId', 'must be a string when present');
  }
  if (meta.userId !== undefined && typeof meta.userId !== 'string') {
    throw new ValidationError('metadata.userId', 'must be a string when present');
  }
  // Everything else must survive the wire: check the whole event once. This runs on every
  // publish, so the happy path allocates only the ancestor stack and builds no path strings.
  const problem = unserializable(e, [], true);
  if (problem !== undefined) throw new ValidationError(formatPath(problem.path), problem.message);
  return event as BaseEvent;
}

function requireString(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(field, 'must be a non-empty string');
  }
}

// Types already found valid: most services publish a handful of types, so the regex runs once per type.
const validTypes = new Set<string>();
const VALID_TYPES_LIMIT = 10_000;

export function validateEventType(type: unknown, field = 'type'): asserts type is string {
  if (typeof type === 'string' && validTypes.has(type)) return;
  // Length first: the message must not echo (nor the regex scan) a type of any size.
  if (typeof type === 'string' && type.length > MAX_EVENT_TYPE_BYTES) {
    throw new ValidationError(
      field,
      `is ${Buffer.byteLength(type, 'utf8')} bytes long, over the ${MAX_EVENT_TYPE_BYTES}-byte limit for event types (got "${type.slice(0, 64)}…")`,
    );
  }
  if (typeof type !== 'string' || !EVENT_TYPE.test(type)) {
    throw new ValidationError(
      field,
      `must be dot-separated words of letters, digits, "_" or "-" (got ${JSON.stringify(type)})`,
    );
  }
  if (validTypes.size >= VALID_TYPES_LIMIT) validTypes.clear();
  validTypes.add(type);
}

interface Problem {
  /** Keys from the offending value out to the event's own field, innermost first. */
  path: Array<string | number>;
  message: string;
}

/**
 * What the wire cannot carry inside the object or array `value`, or undefined: bigint,
 * function, symbol, a non-finite number, a cycle, an invalid Date (JSON gives null), a Map,
 * Set, Buffer, typed array or ArrayBuffer (JSON gives `{}` or an object of indices), nesting
 * deeper than MAX_EVENT_DEPTH. Valid Dates are fine. Only own enumerable keys are looked at,
 * as JSON.stringify does: a class's prototype methods are not data.
 */
function unserializable(value: object | null, ancestors: object[], isEvent = false): Problem | undefined {
  if (value === null) return undefined;
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? { path: [], message: 'is an invalid Date, which JSON carries as null' } : undefined;
  }
  // The event itself is level 0, so `ancestors.length` is this value's level.
  if (ancestors.length > MAX_EVENT_DEPTH) {
    return { path: [], message: `is nested more than ${MAX_EVENT_DEPTH} levels deep, the limit for event data` };
  }
  if (!isEvent) {
    const kind = unsupportedObject(value);
    if (kind !== undefined) return { path: [], message: kind };
  }
  // Ancestors only (popped on the way out): the same object referenced twice is fine, a cycle is not.
  if (ancestors.includes(value)) return { path: [], message: 'contains a cycle' };
  ancestors.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string') continue;
      const problem = typeof v === 'object' ? unserializable(v, ancestors) : scalarProblem(v);
      if (problem !== undefined) {
        problem.path.push(i);
        return problem;
      }
    }
  } else {
    const rec = value as Record<string, unknown>;
    for (const key of Object.keys(rec)) {
      const v = rec[key];
      if (typeof v === 'string') continue;
      const problem = typeof v === 'object' ? unserializable(v, ancestors) : scalarProblem(v);
      if (problem !== undefined) {
        problem.path.push(key);
        return problem;
      }
    }
  }
  ancestors.pop();
  return undefined;
}

/** Why JSON would lose the contents of `value` (a built-in with no JSON form of its own), or undefined. */
function unsupportedObject(value: object): string | undefined {
  if (ArrayBuffer.isView(value)) {
    const what = Buffer.isBuffer(value) ? 'a Buffer' : `a ${value.constructor?.name ?? 'typed array'}`;
    return `is ${what}, which JSON does not carry as bytes: encode it (e.g. base64) into a string`;
  }
  switch (Object.prototype.toString.call(value)) {
    case '[object Map]':
    case '[object WeakMap]':
      return 'is a Map, which JSON carries as {}: use a plain object or an array of entries';
    case '[object Set]':
    case '[object WeakSet]':
      return 'is a Set, which JSON carries as {}: use an array';
    case '[object ArrayBuffer]':
    case '[object SharedArrayBuffer]':
      return 'is an ArrayBuffer, which JSON carries as {}: encode it (e.g. base64) into a string';
    default:
      return undefined;
  }
}

function scalarProblem(value: unknown): Problem | undefined {
  switch (typeof value) {
    case 'boolean':
    case 'undefined':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : { path: [], message: 'is not a finite number' };
    case 'bigint':
      return { path: [], message: 'is a bigint, which JSON cannot carry' };
    case 'function':
      return { path: [], message: 'is a function, which JSON cannot carry' };
    default:
      return { path: [], message: 'is a symbol, which JSON cannot carry' };
  }
}

/** ['x', 1, 'list', 'data'] (innermost first) → `data.list[1].x`. */
function formatPath(reversed: Array<string | number>): string {
  let path = String(reversed[reversed.length - 1]);
  for (let i = reversed.length - 2; i >= 0; i--) {
    const key = reversed[i]!;
    path += typeof key === 'number' ? `[${key}]` : `.${key}`;
  }
  return path;
}
