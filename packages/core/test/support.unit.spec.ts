import { describe, expect, it, vi } from 'vitest';
import {
  ConcurrencyError,
  type ConnectionStateChange,
  type DeadLetterRecord,
  errorFields,
  eventLogFields,
  noopLogger,
} from '../src/index.js';
import {
  assertExpectedVersion,
  ConnectionStateEmitter,
  createDeadLetterRecord,
  createDeadLetters,
  combinedConnectionState,
  Deque,
  expectedVersionMatches,
  InMemoryDeadLetterStore,
  validateAppend,
  validateExpectedVersion,
  validateReadArgs,
} from '../src/transport.js';
import { domainEvent, recordingLogger, validationField } from './helpers.js';

describe('Deque', () => {
  it('is first in, first out, with unshift putting an item back in front', () => {
    // Given
    const q = new Deque<number>();
    // When
    for (let i = 1; i <= 5; i++) q.push(i);
    const first = q.shift();
    q.unshift(first!);
    q.unshift(0);
    // Then
    expect(q.length).toBe(6);
    expect(q.drain()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
  });

  it('keeps order across its compaction', () => {
    // Given
    const q = new Deque<number>();
    const out: number[] = [];
    // When
    for (let i = 0; i < 5_000; i++) {
      q.push(i);
      if (i % 3 !== 0) out.push(q.shift()!);
    }
    out.push(...q.drain());
    // Then
    expect(out).toHaveLength(5_000);
    expect([...out].sort((a, b) => a - b)).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThan(out[i - 1]!);
  });

  it('peek and toArray read without taking, also after it emptied and filled again', () => {
    // Given
    const q = new Deque<string>();
    q.push('a');
    q.push('b');
    // When: emptied, then used again from the front
    q.shift();
    q.shift();
    q.unshift('c');
    q.push('d');
    // Then
    expect(q.peek()).toBe('c');
    expect(q.toArray()).toEqual(['c', 'd']);
    expect(q.length).toBe(2);
    expect(new Deque<string>().peek()).toBeUndefined();
  });
});

describe('combinedConnectionState', () => {
  it.each([
    [[], undefined],
    [['closed', 'closed'], undefined],
    [['connecting'], 'connecting'],
    [['connected', 'connecting'], 'connected'],
    [['connected', 'disconnected'], 'disconnected'],
    [['disconnected', 'reconnecting'], 'reconnecting'],
    [['connected', 'closed'], 'connected'],
  ] as const)('%j → %s', (states, expected) => {
    expect(combinedConnectionState(states)).toBe(expected);
  });
});

describe('ConnectionStateEmitter', () => {
  it('tells listeners and the logger about each change, once', () => {
    // Given
    const logger = recordingLogger();
    const emitter = new ConnectionStateEmitter(logger, 'redis');
    const heard: ConnectionStateChange[] = [];
    const off = emitter.on((c) => heard.push(c));
    const cause = new Error('ECONNREFUSED');
    // When
    emitter.set('connecting');
    emitter.set('connecting');
    emitter.set('reconnecting', cause);
    off();
    emitter.set('closed');
    // Then
    expect(heard).toEqual([
      { state: 'connecting', previous: 'disconnected' },
      { state: 'reconnecting', previous: 'connecting', error: cause },
    ]);
    expect(emitter.state).toBe('closed');
    expect(logger.lines.map((l) => [l.level, l.message])).toEqual([
      ['info', 'redis: connecting'],
      ['warn', 'redis: reconnecting'],
      ['info', 'redis: closed'],
    ]);
    expect(logger.lines[1]!.fields).toMatchObject({ transport: 'redis', error: 'ECONNREFUSED' });
  });

  it('a listener that throws is logged and does not stop the others', () => {
    // Given
    const logger = recordingLogger();
    const emitter = new ConnectionStateEmitter(logger, 'amqp', 'connected');
    const second = vi.fn();
    emitter.on(() => {
      throw new Error('listener bug');
    });
    emitter.on(second);
    // When
    emitter.set('disconnected');
    // Then
    expect(second).toHaveBeenCalledTimes(1);
    expect(logger.lines.find((l) => l.level === 'error')?.fields).toMatchObject({ error: 'listener bug' });
  });

  it('a logger that throws does not keep listeners from hearing the change', () => {
    const boom = () => {
      throw new Error('logger down');
    };
    const emitter = new ConnectionStateEmitter({ debug: boom, info: boom, warn: boom, error: boom }, 'x');
    const listener = vi.fn();
    emitter.on(listener);
    expect(() => emitter.set('connected')).not.toThrow();
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('dead letters', () => {
  const record = (overrides: Partial<Parameters<typeof createDeadLetterRecord>[0]> = {}): DeadLetterRecord =>
    createDeadLetterRecord({ event: domainEvent(), error: new Error('x'), attempts: 3, pattern: 'a.*', ...overrides });

  it('createDeadLetterRecord keeps raw bytes as text and leaves out absent fields', () => {
    // Given / When
    const raw = createDeadLetterRecord({ raw: Buffer.from('{"bad"'), error: new TypeError('t'), attempts: 0, pattern: '#' });
    const grouped = record({ group: 'g' });
    // Then
    expect(raw.raw).toBe('{"bad"');
    expect('event' in raw).toBe(false);
    expect('group' in raw).toBe(false);
    expect(raw.error.name).toBe('TypeError');
    expect(grouped.group).toBe('g');
  });

  it('InMemoryDeadLetterStore lists oldest first, takes by id or all, drops the oldest past its bound', async () => {
    // Given
    const dropped: string[] = [];
    const store = new InMemoryDeadLetterStore(2, (r) => dropped.push(r.id));
    const [a, b, c] = [record(), record(), record()];
    // When
    await store.add(a);
    await store.add(b);
    await store.add(c);
    // Then
    expect(dropped).toEqual([a.id]);
    expect((await store.list()).map((r) => r.id)).toEqual([b.id, c.id]);
    expect((await store.list(1)).map((r) => r.id)).toEqual([b.id]);
    expect(await store.take('missing')).toEqual([]);
    expect((await store.take(c.id)).map((r) => r.id)).toEqual([c.id]);
    expect((await store.take('all')).map((r) => r.id)).toEqual([b.id]);
    expect(await store.purge()).toBe(0);
  });

  it('replay redelivers event records, keeps raw ones, and puts back (then rethrows) a failed redelivery', async () => {
    // Given
    const store = new InMemoryDeadLetterStore();
    const ok = record();
    const raw = createDeadLetterRecord({ raw: 'junk', error: new Error('decode'), attempts: 0, pattern: '#' });
    const failing = record();
    for (const r of [ok, raw, failing]) await store.add(r);
    const refused = new Error('bus closed');
    const redelivered: string[] = [];
    const letters = createDeadLetters(store, async (r) => {
      if (r === failing) throw refused;
      redelivered.push(r.id);
    });
    // When
    const replaying = letters.replay('all');
    // Then
    await expect(replaying).rejects.toBe(refused);
    expect(redelivered).toEqual([ok.id]);
    expect((await letters.list()).map((r) => r.id).sort()).toEqual([raw.id, failing.id].sort());
    expect(await letters.replay(raw.id)).toBe(0);
    expect(await letters.purge()).toBe(2);
  });
});

describe('logging helpers', () => {
  it('eventLogFields carries identity, never the payload', () => {
    const event = domainEvent({ data: { secret: 's3' } } as never);
    expect(eventLogFields(event)).toEqual({ eventId: event.id, eventType: event.type, correlationId: event.metadata.correlationId });
    expect(JSON.stringify(eventLogFields(event))).not.toContain('s3');
  });

  it('errorFields keeps name, message and stack only', () => {
    const error = new RangeError('r', { cause: new Error('deep') });
    expect(errorFields(error)).toEqual({ name: 'RangeError', message: 'r', stack: error.stack });
    const bare = new Error('b');
    bare.stack = undefined;
    expect(errorFields(bare)).toEqual({ name: 'Error', message: 'b' });
  });

  it('noopLogger logs nothing and cannot be changed', () => {
    expect(() => noopLogger.error({}, 'x')).not.toThrow();
    expect(Object.isFrozen(noopLogger)).toBe(true);
  });
});

describe('expected version helpers (shared by every store)', () => {
  it('expectedVersionMatches each mode', () => {
    expect(expectedVersionMatches('any', 7)).toBe(true);
    expect(expectedVersionMatches('no-stream', 0)).toBe(true);
    expect(expectedVersionMatches('no-stream', 1)).toBe(false);
    expect(expectedVersionMatches('stream-exists', 1)).toBe(true);
    expect(expectedVersionMatches('stream-exists', 0)).toBe(false);
    expect(expectedVersionMatches(3, 3)).toBe(true);
    expect(expectedVersionMatches(3, 4)).toBe(false);
  });

  it('assertExpectedVersion throws ConcurrencyError with the fields', () => {
    expect(() => assertExpectedVersion('s', 2, 2)).not.toThrow();
    let thrown: unknown;
    try {
      assertExpectedVersion('s', 'no-stream', 4);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConcurrencyError);
    expect(thrown).toMatchObject({ streamId: 's', expectedVersion: 'no-stream', actualVersion: 4 });
  });

  it('validateExpectedVersion, validateAppend and validateReadArgs name the bad argument', () => {
    const field = validationField;
    expect(field(() => validateExpectedVersion(-1))).toBe('expectedVersion');
    expect(field(() => validateExpectedVersion('latest'))).toBe('expectedVersion');
    expect(field(() => validateAppend('', [], 0))).toBe('streamId');
    expect(field(() => validateAppend('s', 'x', 0))).toBe('events');
    expect(field(() => validateAppend('s', [domainEvent(), { ...domainEvent(), id: '' }], 0))).toBe('events[1].id');
    expect(field(() => validateAppend('s', [{ ...domainEvent(), aggregateId: undefined }], 'any'))).toBe('events[0]');
    expect(() => validateAppend('s', [domainEvent()], 'any')).not.toThrow();
    expect(field(() => validateReadArgs(-1, 'fromVersion'))).toBe('fromVersion');
    expect(field(() => validateReadArgs(1.5, 'fromPosition'))).toBe('fromPosition');
    expect(field(() => validateReadArgs(0, 'fromPosition', 0))).toBe('batchSize');
    expect(() => validateReadArgs(0, 'fromPosition', 10)).not.toThrow();
  });
});
