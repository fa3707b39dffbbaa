import { describe, expect, it } from 'vitest';
import {
  type BaseEvent,
  causedBy,
  createDomainEvent,
  createIntegrationEvent,
  createSystemEvent,
  validateEvent,
  validateEventType,
  ValidationError,
} from '../src/index.js';
import { copyFields } from '../src/transport.js';
import { validationField } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const META = { source: 'gamifier', environment: 'test' };


describe('factories', () => {
  it('createDomainEvent fills a UUID id, a current timestamp, version 1 and a fresh correlationId', () => {
    // Given
    const before = Date.now();
    // When
    const event = createDomainEvent({
      type: 'gamifier.points.awarded',
      aggregateId: 'player-1',
      aggregateType: 'player',
      data: { points: 10 },
      metadata: META,
    });
    // Then
    expect(event.id).toMatch(UUID);
    expect(event.timestamp).toBeInstanceOf(Date);
    expect(event.timestamp.getTime()).toBeGreaterThanOrEqual(before);
    expect(event.timestamp.getTime()).toBeLessThanOrEqual(Date.now());
    expect(event.version).toBe(1);
    expect(event.metadata.correlationId).toMatch(UUID);
    expect(event.metadata).toMatchObject(META);
    expect(event).toMatchObject({ type: 'gamifier.points.awarded', aggregateId: 'player-1', aggregateType: 'player', data: { points: 10 } });
  });

  it('gives every event its own id and correlationId', () => {
    // Given / When
    const make = () => createIntegrationEvent({ type: 'a.b', service: 's', action: 'x', payload: {}, metadata: META });
    const events = Array.from({ length: 50 }, make);
    // Then
    expect(new Set(events.map((e) => e.id)).size).toBe(50);
    expect(new Set(events.map((e) => e.metadata.correlationId)).size).toBe(50);
  });

  it('keeps a given id, timestamp, version, correlationId and extra metadata keys', () => {
    // Given
    const timestamp = new Date('2024-05-01T10:00:00.000Z');
    // When
    const event = createDomainEvent({
      id: 'evt-1',
      timestamp,
      version: 7,
      type: 'order.placed',
      aggregateId: 'order-1',
      aggregateType: 'order',
      data: {},
      metadata: { ...META, correlationId: 'corr-1', userId: 'u-1', tenant: 'acme' },
    });
    // Then
    expect(event.id).toBe('evt-1');
    expect(event.timestamp).toBe(timestamp);
    expect(event.version).toBe(7);
    expect(event.metadata).toEqual({ ...META, correlationId: 'corr-1', userId: 'u-1', tenant: 'acme' });
  });

  it('createIntegrationEvent and createSystemEvent carry their own fields', () => {
    // Given / When
    const integration = createIntegrationEvent({
      type: 'superapp.user.registered',
      service: 'superapp',
      action: 'register',
      payload: { userId: 'u-1' },
      metadata: META,
    });
    const withDetails = createSystemEvent({
      type: 'system.cache.degraded',
      level: 'warning',
      component: 'cache',
      message: 'slow',
      details: { p99: 120 },
      metadata: META,
    });
    const withoutDetails = createSystemEvent({
      type: 'system.cache.ok',
      level: 'info',
      component: 'cache',
      message: 'fine',
      metadata: META,
    });
    // Then
    expect(integration).toMatchObject({ service: 'superapp', action: 'register', payload: { userId: 'u-1' }, version: 1 });
    expect(withDetails).toMatchObject({ level: 'warning', component: 'cache', message: 'slow', details: { p99: 120 } });
    expect('details' in withoutDetails).toBe(false);
  });

  it('rejects what validateEvent rejects, naming the field', () => {
    // Given / When / Then
    expect(
      validationField(() =>
        createDomainEvent({ type: 'Bad Type', aggregateId: 'a', aggregateType: 't', data: {}, metadata: META }),
      ),
    ).toBe('type');
    expect(
      validationField(() =>
        createDomainEvent({ type: 'a.b', aggregateId: 'a', aggregateType: 't', data: {}, metadata: { source: 's', environment: '' } }),
      ),
    ).toBe('metadata.environment');
    expect(
      validationField(() =>
        createDomainEvent({ type: 'a.b', aggregateId: 'a', aggregateType: 't', data: { n: 1n }, metadata: META }),
      ),
    ).toBe('data.n');
  });

  it('names missing metadata instead of failing with a TypeError', () => {
    expect(
      validationField(() =>
        createDomainEvent({ type: 'a.b', aggregateId: 'a', aggregateType: 't', data: {} } as unknown as Parameters<typeof createDomainEvent>[0]),
      ),
    ).toBe('metadata');
  });

  it('causedBy continues the correlation, points causation at the parent and inherits source/environment/user', () => {
    // Given
    const parent = createDomainEvent({
      type: 'order.placed',
      aggregateId: 'o-1',
      aggregateType: 'order',
      data: {},
      metadata: { ...META, userId: 'u-1', traceparent: '00-abc-def-01', tracestate: 'x=1' },
    });
    // When
    const metadata = causedBy(parent);
    // Then
    expect(metadata).toEqual({
      source: 'gamifier',
      environment: 'test',
      userId: 'u-1',
      correlationId: parent.metadata.correlationId,
      causationId: parent.id,
    });
  });

  it('causedBy applies overrides but never lets them break the chain', () => {
    // Given
    const parent = createIntegrationEvent({ type: 'a.b', service: 's', action: 'a', payload: {}, metadata: META });
    // When
    const metadata = causedBy(parent, { source: 'worker', correlationId: 'hijack', causationId: 'hijack' });
    // Then
    expect(metadata.source).toBe('worker');
    expect(metadata.correlationId).toBe(parent.metadata.correlationId);
    expect(metadata.causationId).toBe(parent.id);
  });

  it('chains across generations: one correlationId, each causationId the previous id', () => {
    // Given
    const root = createDomainEvent({ type: 'order.placed', aggregateId: 'o', aggregateType: 'order', data: {}, metadata: META });
    // When
    const child = createDomainEvent({ type: 'points.awarded', aggregateId: 'p', aggregateType: 'player', data: {}, metadata: causedBy(root) });
    const grandchild = createSystemEvent({ type: 'audit.logged', level: 'info', component: 'audit', message: 'ok', metadata: causedBy(child) });
    // Then
    expect(root.metadata.causationId).toBeUndefined();
    expect(child.metadata.correlationId).toBe(root.metadata.correlationId);
    expect(child.metadata.causationId).toBe(root.id);
    expect(grandchild.metadata.correlationId).toBe(root.metadata.correlationId);
    expect(grandchild.metadata.causationId).toBe(child.id);
  });
});

describe('validateEvent', () => {
  function valid(): BaseEvent & { data: Record<string, unknown> } {
    return {
      id: 'evt-1',
      type: 'gamifier.points.awarded',
      timestamp: new Date('2024-01-01T00:00:00.000Z'),
      version: 1,
      metadata: { correlationId: 'c-1', source: 'test', environment: 'test' },
      data: { points: 1, nested: { list: [1, 'a', null, true, { deep: new Date(0) }] }, skipped: undefined },
    };
  }

  function fieldOf(mutate: (e: Record<string, any>) => void): string {
    const event = valid() as unknown as Record<string, any>;
    mutate(event);
    return validationField(() => validateEvent(event));
  }

  /** The field named when `path` (dotted, from the event) is set to `value`. */
  function fieldWhen(path: string, value: unknown): string {
    return fieldOf((e) => {
      const keys = path.split('.');
      const last = keys.pop()!;
      let target = e;
      for (const key of keys) target = target[key];
      target[last] = value;
    });
  }

  /** The field named when `path` (dotted, from the event) is deleted. */
  function fieldWithout(path: string): string {
    return fieldOf((e) => {
      const keys = path.split('.');
      const last = keys.pop()!;
      let target = e;
      for (const key of keys) target = target[key];
      delete target[last];
    });
  }

  it('accepts a sound event and returns it', () => {
    // Given
    const event = valid();
    // When / Then
    expect(validateEvent(event)).toBe(event);
  });

  it('accepts the same object referenced twice (shared, not cyclic)', () => {
    // Given
    const shared = { x: 1 };
    const event = valid();
    event.data = { a: shared, b: shared, list: [shared, shared] };
    // When / Then
    expect(() => validateEvent(event)).not.toThrow();
  });

  it.each([null, undefined, 'event', 42, []])('rejects a non-object event (%j) as "event"', (input) => {
    expect(validationField(() => validateEvent(input))).toBe('event');
  });

  it('names a missing or empty id', () => {
    expect(fieldWithout('id')).toBe('id');
    expect(fieldWhen('id', '')).toBe('id');
    expect(fieldWhen('id', 42)).toBe('id');
  });

  it('names a missing type', () => {
    expect(fieldWithout('type')).toBe('type');
  });

  it.each(['', 'a..b', '.a', 'a.', 'a b', 'a.*', '#', 'a.#.b', 'punkt.ü', 'a/b', 'a:b'])(
    'rejects the type %j: not dot-separated words',
    (type) => {
      expect(fieldWhen('type', type)).toBe('type');
    },
  );

  it.each(['a', 'gamifier.points.awarded', 'Order_Placed.v-2', '123.456'])('accepts the type %j', (type) => {
    expect(() => validateEventType(type)).not.toThrow();
    expect(() => validateEvent({ ...valid(), type })).not.toThrow();
  });

  it('names an invalid timestamp', () => {
    expect(fieldWithout('timestamp')).toBe('timestamp');
    expect(fieldWhen('timestamp', '2024-01-01T00:00:00.000Z')).toBe('timestamp');
    expect(fieldWhen('timestamp', Date.now())).toBe('timestamp');
    expect(fieldWhen('timestamp', new Date('not a date'))).toBe('timestamp');
  });

  it('names a version that is not a non-negative integer', () => {
    expect(fieldWhen('version', 1.5)).toBe('version');
    expect(fieldWhen('version', '1')).toBe('version');
    expect(fieldWhen('version', -1)).toBe('version');
    expect(fieldWhen('version', Number.NaN)).toBe('version');
    expect(fieldWithout('version')).toBe('version');
  });

  it('names missing metadata and each missing required metadata field', () => {
    expect(fieldWithout('metadata')).toBe('metadata');
    expect(fieldWhen('metadata', null)).toBe('metadata');
    expect(fieldWithout('metadata.correlationId')).toBe('metadata.correlationId');
    expect(fieldWhen('metadata.correlationId', '')).toBe('metadata.correlationId');
    expect(fieldWithout('metadata.source')).toBe('metadata.source');
    expect(fieldWhen('metadata.source', 7)).toBe('metadata.source');
    expect(fieldWithout('metadata.environment')).toBe('metadata.environment');
  });

  it('names optional metadata ids of the wrong type', () => {
    expect(fieldWhen('metadata.causationId', 5)).toBe('metadata.causationId');
    expect(fieldWhen('metadata.userId', {})).toBe('metadata.userId');
  });

  it('names data JSON cannot carry: bigint, function, symbol, NaN, Infinity', () => {
    expect(fieldWhen('data.big', 10n)).toBe('data.big');
    expect(fieldWhen('data.nested.fn', () => 1)).toBe('data.nested.fn');
    expect(fieldWhen('data.sym', Symbol('s'))).toBe('data.sym');
    expect(fieldWhen('data.nested.list.1', Number.NaN)).toBe('data.nested.list[1]');
    expect(fieldWhen('data.inf', Number.POSITIVE_INFINITY)).toBe('data.inf');
    expect(fieldWhen('metadata.extra', 1n)).toBe('metadata.extra');
  });

  it('names a cycle', () => {
    const selfCycle = fieldOf((e) => {
      e.data.nested.self = e.data;
    });
    const rootCycle = fieldOf((e) => {
      e.data.nested.event = e;
    });
    expect(selfCycle).toBe('data.nested.self');
    expect(rootCycle).toBe('data.nested.event');
    expect(fieldOf((e) => e.data.nested.list.push(e.data.nested.list))).toBe('data.nested.list[5]');
  });

  it('keeps rejecting a bad type after good ones were seen', () => {
    for (let i = 0; i < 3; i++) expect(() => validateEventType('a.b')).not.toThrow();
    expect(() => validateEventType('a.b.')).toThrow(ValidationError);
    expect(() => validateEventType(42)).toThrow(ValidationError);
  });

  it('says what is wrong in the message', () => {
    // Given
    const event = { ...valid(), data: { big: 1n } };
    // When / Then
    expect(() => validateEvent(event)).toThrow(/data\.big.*bigint/);
  });
});

describe('factories copy metadata without touching prototypes', () => {
  it('keeps an own "__proto__" metadata key as plain data and the key order of the input', () => {
    // Given metadata parsed from JSON with an own __proto__ key
    const metadata = JSON.parse(
      '{"source":"api","__proto__":{"polluted":true},"environment":"test","correlationId":"c-1"}',
    );
    // When an event is built from it
    const event = createDomainEvent({ type: 'a.b', aggregateId: 'x', aggregateType: 'X', data: {}, metadata });
    // Then the key is own data, the prototype is untouched, and the order is the caller's
    expect(Object.getPrototypeOf(event.metadata)).toBe(Object.prototype);
    expect(Object.keys(event.metadata)).toEqual(['source', '__proto__', 'environment', 'correlationId']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(event.metadata.correlationId).toBe('c-1');
  });
});

describe('copyFields', () => {
  it('copies own enumerable fields in order, later sources winning, and returns the target', () => {
    // Given
    const into: Record<string, unknown> = { a: 1 };
    // When
    const out = copyFields(copyFields(into, { b: 2, a: 3 }), { c: 4, b: 5 });
    // Then
    expect(out).toBe(into);
    expect(Object.entries(out)).toEqual([
      ['a', 3],
      ['b', 5],
      ['c', 4],
    ]);
  });

  it('skips inherited and non-enumerable fields and tolerates an undefined source', () => {
    // Given
    const source = Object.create({ inherited: true }) as Record<string, unknown>;
    Object.defineProperty(source, 'hidden', { value: 1, enumerable: false });
    source.own = 'yes';
    // When
    const out = copyFields(copyFields({}, source), undefined);
    // Then
    expect(out).toEqual({ own: 'yes' });
  });

  it('keeps an own "__proto__" key as data instead of setting the prototype', () => {
    // Given a source parsed from JSON with an own __proto__ key
    const source = JSON.parse('{"__proto__":{"polluted":true},"x":1}') as object;
    // When
    const out = copyFields<Record<string, unknown>>({}, source);
    // Then
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'x']);
    expect(out.polluted).toBeUndefined();
  });

  it('causedBy keeps an own "__proto__" metadata key as data and drops only the parent trace context', () => {
    // Given a parent whose metadata came from JSON with an own __proto__ key and a trace context
    const metadata = JSON.parse(
      '{"source":"api","__proto__":{"polluted":true},"environment":"test","traceparent":"00-a-b-01","tracestate":"k=v"}',
    );
    const parent = createIntegrationEvent({ type: 'a.b', service: 's', action: 'a', payload: {}, metadata });
    // When
    const child = causedBy(parent, { tracestate: 'mine=1' }) as unknown as Record<string, unknown>;
    // Then
    expect(Object.getPrototypeOf(child)).toBe(Object.prototype);
    expect(Object.keys(child)).toEqual(['source', '__proto__', 'environment', 'correlationId', 'tracestate', 'causationId']);
    expect(child.traceparent).toBeUndefined();
    expect(child.tracestate).toBe('mine=1');
  });
});
