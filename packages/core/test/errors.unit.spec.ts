import { describe, expect, it } from 'vitest';
import {
  BusClosedError,
  CommandValidationError,
  ConcurrencyError,
  ConfigError,
  ConnectionError,
  DecodeError,
  HeraldError,
  type HeraldErrorCode,
  isHeraldError,
  NoHandlerError,
  OverflowError,
  PublishError,
  StoreClosedError,
  TimeoutError,
  toError,
  UnsupportedError,
  ValidationError,
} from '../src/index.js';

describe('HeraldError subclasses', () => {
  const cases: Array<[string, HeraldError, HeraldErrorCode]> = [
    ['ValidationError', new ValidationError('metadata.source', 'must be a non-empty string'), 'VALIDATION'],
    ['DecodeError', new DecodeError('bad', new Uint8Array([1])), 'DECODE'],
    ['PublishError', new PublishError('not confirmed'), 'PUBLISH'],
    ['BusClosedError', new BusClosedError(), 'BUS_CLOSED'],
    ['UnsupportedError', new UnsupportedError('groups', 'no groups'), 'UNSUPPORTED'],
    ['ConcurrencyError', new ConcurrencyError('s', 1, 2), 'CONCURRENCY'],
    ['NoHandlerError', new NoHandlerError('x.y'), 'NO_HANDLER'],
    ['CommandValidationError', new CommandValidationError('x.y'), 'COMMAND_VALIDATION'],
    ['ConfigError', new ConfigError('EVENT_STORE', 'bad'), 'CONFIG'],
    ['TimeoutError', new TimeoutError('slow'), 'TIMEOUT'],
    ['ConnectionError', new ConnectionError('cannot connect to 127.0.0.1:6379'), 'CONNECTION'],
    ['OverflowError', new OverflowError(100), 'OVERFLOW'],
    ['StoreClosedError', new StoreClosedError(), 'STORE_CLOSED'],
  ];

  it.each(cases)('%s has its stable code, its class name and is a HeraldError and an Error', (name, error, code) => {
    // Given an error of each class (above)
    // When / Then its identity is stable
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(HeraldError);
    expect(error).toBeInstanceOf(Error);
    expect(typeof error.stack).toBe('string');
    expect(isHeraldError(error)).toBe(true);
    expect(isHeraldError(error, code)).toBe(true);
  });

  it('ValidationError names the field in `field` and in its message', () => {
    // Given / When
    const error = new ValidationError('metadata.correlationId', 'must be a non-empty string');
    // Then
    expect(error.field).toBe('metadata.correlationId');
    expect(error.message).toBe('metadata.correlationId: must be a non-empty string');
  });

  it('DecodeError carries the raw bytes and its cause', () => {
    // Given
    const raw = Buffer.from('{nope');
    const cause = new SyntaxError('Unexpected token');
    // When
    const error = new DecodeError('not valid JSON', raw, { cause });
    // Then
    expect(error.raw).toBe(raw);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('not valid JSON');
  });

  it('PublishError carries the event identity and the cause; both optional', () => {
    // Given
    const cause = new Error('ECONNRESET');
    // When
    const full = new PublishError('not accepted', { eventId: 'e-1', eventType: 'a.b', cause });
    const bare = new PublishError('not accepted');
    // Then
    expect(full).toMatchObject({ eventId: 'e-1', eventType: 'a.b', cause, message: 'not accepted' });
    expect(bare.eventId).toBeUndefined();
    expect(bare.eventType).toBeUndefined();
    expect(bare.cause).toBeUndefined();
  });

  it('BusClosedError has a default message that can be replaced', () => {
    expect(new BusClosedError().message).toBe('the event bus is closed');
    expect(new BusClosedError('closing').message).toBe('closing');
  });

  it('UnsupportedError names the feature', () => {
    const error = new UnsupportedError('consumerGroups', 'Redis pub/sub has no consumer groups');
    expect(error.feature).toBe('consumerGroups');
    expect(error.message).toBe('Redis pub/sub has no consumer groups');
  });

  it('ConcurrencyError carries streamId, expected and actual version and says them', () => {
    // Given / When
    const numeric = new ConcurrencyError('order-1', 3, 5);
    const named = new ConcurrencyError('order-2', 'no-stream', 1);
    // Then
    expect(numeric).toMatchObject({ streamId: 'order-1', expectedVersion: 3, actualVersion: 5 });
    expect(numeric.message).toContain('order-1');
    expect(numeric.message).toContain('3');
    expect(numeric.message).toContain('5');
    expect(named.expectedVersion).toBe('no-stream');
    expect(named.message).toContain('no-stream');
  });

  it('NoHandlerError and CommandValidationError carry the command type', () => {
    const noHandler = new NoHandlerError('points.award');
    const invalid = new CommandValidationError('points.award');
    expect(noHandler.commandType).toBe('points.award');
    expect(noHandler.message).toContain('points.award');
    expect(invalid.commandType).toBe('points.award');
    expect(invalid.message).toContain('points.award');
    expect(new CommandValidationError('x', 'custom').message).toBe('custom');
  });

  it('ConfigError names the variable in `variable` and in its message', () => {
    const error = new ConfigError('EVENT_RETRY_DELAY', 'must be an integer');
    expect(error.variable).toBe('EVENT_RETRY_DELAY');
    expect(error.message).toBe('EVENT_RETRY_DELAY: must be an integer');
  });

  it('ConnectionError keeps its message and cause, and a transport subclass keeps its own name and the CONNECTION code', () => {
    // Given a transport's own connection error class over ConnectionError
    class TransportConnectionError extends ConnectionError {
      readonly reason = 'timeout';
    }
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6399'), { code: 'ECONNREFUSED' });

    // When both are created
    const base = new ConnectionError('cannot connect to 127.0.0.1:6399', { cause });
    const sub = new TransportConnectionError('not ready within 50 ms');

    // Then both are Herald CONNECTION errors, and the subclass keeps its name and fields
    expect(base.message).toBe('cannot connect to 127.0.0.1:6399');
    expect(base.cause).toBe(cause);
    expect(sub.name).toBe('TransportConnectionError');
    expect(sub.code).toBe('CONNECTION');
    expect(sub.reason).toBe('timeout');
    expect(sub).toBeInstanceOf(ConnectionError);
    expect(isHeraldError(sub, 'CONNECTION')).toBe(true);
    expect(isHeraldError(sub, 'PUBLISH')).toBe(false);
  });

  it('ConcurrencyError cuts a long stream id in its message and keeps the whole id in streamId', () => {
    // Given a 1 MB stream id
    const id = `stream-${'x'.repeat(1_000_000)}`;

    // When the error is built
    const error = new ConcurrencyError(id, 3, 4);

    // Then the message quotes the first 64 characters and an ellipsis; the field has it all
    expect(error.message).toBe(`stream "${id.slice(0, 64)}…" expected version 3 but is at 4`);
    expect(error.streamId).toBe(id);
    expect(new ConcurrencyError('order-1', 'no_stream', 2).message).toBe('stream "order-1" expected version no_stream but is at 2');
  });

  it('keeps a cause passed to the base class', () => {
    const cause = new Error('root');
    expect(new ValidationError('x', 'bad', { cause }).cause).toBe(cause);
  });
});

describe('isHeraldError', () => {
  it('without a code: true for any Herald error, false for other errors and non-errors', () => {
    // Given
    const herald = new ConfigError('X', 'bad');
    const plain = new Error('boom');
    const system = Object.assign(new Error('no file'), { code: 'ENOENT' });
    // When / Then
    expect(isHeraldError(herald)).toBe(true);
    expect(isHeraldError(plain)).toBe(false);
    expect(isHeraldError(system)).toBe(false);
    expect(isHeraldError('VALIDATION')).toBe(false);
    expect(isHeraldError({ code: 'VALIDATION', message: 'duck' })).toBe(false);
    expect(isHeraldError(null)).toBe(false);
    expect(isHeraldError(undefined)).toBe(false);
  });

  it('with a code: true only when the code matches', () => {
    // Given
    const error = new ConcurrencyError('s', 0, 1);
    // When / Then
    expect(isHeraldError(error, 'CONCURRENCY')).toBe(true);
    expect(isHeraldError(error, 'VALIDATION')).toBe(false);
    expect(isHeraldError(new Error('x'), 'CONCURRENCY')).toBe(false);
  });

  it('recognises an error from another copy of core loaded in the same process, by its brand', async () => {
    // Given a second, separately loaded copy of the errors module (its own classes)
    // @ts-expect-error: the query is for vite, which loads the module again as a separate instance
    const copy = (await import('../src/errors.js?second-copy')) as typeof import('../src/errors.js');
    const foreign = new copy.ConcurrencyError('stream', 1, 2);
    const foreignConnection = new copy.ConnectionError('cannot connect to 127.0.0.1:5672');

    // When / Then it is not an instance of this copy's class, yet both copies know it
    expect(foreign).not.toBeInstanceOf(HeraldError);
    expect(isHeraldError(foreign)).toBe(true);
    expect(isHeraldError(foreign, 'CONCURRENCY')).toBe(true);
    expect(isHeraldError(foreign, 'DECODE')).toBe(false);
    expect(isHeraldError(foreignConnection, 'CONNECTION')).toBe(true);
    expect(copy.isHeraldError(new ConcurrencyError('s', 0, 1), 'CONCURRENCY')).toBe(true);
  });

  it("is false for another library's error that carries a Herald code such as TIMEOUT", () => {
    // Given errors from elsewhere whose codes happen to be Herald's
    const timeout = Object.assign(new Error('request timed out'), { code: 'TIMEOUT' });
    class OtherLibraryError extends Error {
      readonly code = 'CONCURRENCY';
    }
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5672'), { code: 'CONNECTION' });

    // When / Then none is a Herald error
    expect(isHeraldError(timeout)).toBe(false);
    expect(isHeraldError(timeout, 'TIMEOUT')).toBe(false);
    expect(isHeraldError(new OtherLibraryError('x'), 'CONCURRENCY')).toBe(false);
    expect(isHeraldError(socket, 'CONNECTION')).toBe(false);
  });

  it('keeps the brand out of enumerable keys and JSON', () => {
    // Given / When / Then
    const error = new ValidationError('x', 'bad');
    expect(Object.keys(error)).not.toContain(String(Symbol.for('@herald/core:HeraldError')));
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
  });
});

describe('toError', () => {
  it('returns Errors unchanged and wraps anything else', () => {
    // Given
    const error = new TypeError('t');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    // When / Then
    expect(toError(error)).toBe(error);
    expect(toError('plain string').message).toBe('plain string');
    expect(toError({ reason: 'x' }).message).toBe('{"reason":"x"}');
    expect(toError(undefined).message).toBe('undefined');
    expect(toError(circular)).toBeInstanceOf(Error);
    expect(toError(42n).message).toBe('42');
  });
});
