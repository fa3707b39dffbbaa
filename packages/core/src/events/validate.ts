import { ValidationError } from '../errors.js';
import type { BaseEvent } from './types.js';

const EVENT_TYPE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Throws ValidationError naming the first bad field; returns the event typed when it is sound. */
export function validateEvent<T extends BaseEvent>(event: T): T;
export function validateEvent(event: unknown): BaseEvent;
export function validateEvent(event: unknown): BaseEvent {
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
  for (const field of ['correlationId', 'source', 'environment'] as const) {
    if (typeof meta[field] !== 'string' || (meta[field] as string).length === 0) {
      throw new ValidationError(`metadata.${field}`, 'must be a non-empty string');
    }
  }
  for (const field of ['causationId', 'userId'] as const) {
    if (meta[field] !== undefined && typeof meta[field] !== 'string') {
      throw new ValidationError(`metadata.${field}`, 'must be a string when present');
    }
  }
  // Everything else must survive the wire: check the whole event once.
  const seen = new Set<object>();
  for (const key in e) {
    if (key !== 'timestamp') assertSerializable(e[key], key, seen);
  }
  return event as BaseEvent;
}

export function validateEventType(type: unknown, field = 'type'): asserts type is string {
  if (typeof type !== 'string' || !EVENT_TYPE.test(type)) {
    throw new ValidationError(
      field,
      `must be dot-separated words of letters, digits, "_" or "-" (got ${JSON.stringify(type)})`,
    );
  }
}

function assertSerializable(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new ValidationError(path, 'is not a finite number');
      return;
    case 'bigint':
      throw new ValidationError(path, 'is a bigint, which JSON cannot carry');
    case 'function':
      throw new ValidationError(path, 'is a function, which JSON cannot carry');
    case 'symbol':
      throw new ValidationError(path, 'is a symbol, which JSON cannot carry');
  }
  if (value === null || value instanceof Date) return;
  const obj = value as object;
  if (seen.has(obj)) throw new ValidationError(path, 'contains a cycle');
  seen.add(obj);
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) assertSerializable(obj[i], `${path}[${i}]`, seen);
  } else {
    const rec = obj as Record<string, unknown>;
    for (const key in rec) assertSerializable(rec[key], `${path}.${key}`, seen);
  }
  seen.delete(obj);
}
