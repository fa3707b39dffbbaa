import { describe, expect, it } from 'vitest';
import {
  createDomainEvent,
  createUpcasters,
  type DomainEvent,
  isHeraldError,
  schemaVersionOf,
  UpcastError,
  ValidationError,
} from '../src/index.js';

function scored(data: Record<string, unknown>, schemaVersion?: number, type = 'game.scored'): DomainEvent {
  return createDomainEvent({
    type,
    aggregateId: 'p-1',
    aggregateType: 'Player',
    data,
    version: 7,
    metadata: { source: 'test', environment: 'test', ...(schemaVersion === undefined ? {} : { schemaVersion }) },
  });
}

/** v1 { points } → v2 { points, reason } → v3 { amount, reason }. */
function chain() {
  return createUpcasters()
    .register('game.scored', 1, (e) => ({ ...e, data: { ...e.data, reason: 'unknown' } }))
    .register('game.scored', 2, (e) => {
      const { points, ...rest } = e.data as { points: number };
      return { ...e, data: { ...rest, amount: points } };
    });
}

describe('upcasters', () => {
  it('runs the chain from the declared schema version (1 when absent) to the current one', () => {
    // Given a v1 event without schemaVersion and a v2 event
    const upcasters = chain();
    const v1 = scored({ points: 5 });
    const v2 = scored({ points: 6, reason: 'goal' }, 2);
    // When both are upcast
    const a = upcasters.upcast(v1);
    const b = upcasters.upcast(v2);
    // Then both are v3, with the aggregate version untouched and the inputs unchanged
    expect(a.data).toEqual({ amount: 5, reason: 'unknown' });
    expect(b.data).toEqual({ amount: 6, reason: 'goal' });
    expect([schemaVersionOf(a), schemaVersionOf(b)]).toEqual([3, 3]);
    expect(a.version).toBe(7);
    expect(v1.data).toEqual({ points: 5 });
    expect(schemaVersionOf(v1)).toBe(1);
    expect(upcasters.currentSchemaVersion('game.scored')).toBe(3);
  });

  it('returns current and unknown-type events as the same object', () => {
    const upcasters = chain();
    const current = scored({ amount: 1, reason: 'x' }, 3);
    const other = scored({ n: 1 }, undefined, 'game.other');
    expect(upcasters.upcast(current)).toBe(current);
    expect(upcasters.upcast(other)).toBe(other);
    expect(createUpcasters().upcast(other)).toBe(other);
  });

  it('a gap in the chain is an UpcastError naming the type and the missing step', () => {
    // Given steps 1→2 and 3→4 but no 2→3
    const upcasters = createUpcasters()
      .register('game.scored', 1, (e) => e)
      .register('game.scored', 3, (e) => e);
    // When a v1 event is upcast
    const error = catchError(() => upcasters.upcast(scored({ points: 1 })));
    // Then
    expect(error).toBeInstanceOf(UpcastError);
    expect(isHeraldError(error, 'UPCAST')).toBe(true);
    expect(error).toMatchObject({ eventType: 'game.scored', fromSchemaVersion: 2, toSchemaVersion: 3 });
    expect((error as Error).message).toMatch(/game\.scored.*from schema version 2 to 3/);
  });

  it('a throwing upcaster or one returning no event is an UpcastError with the cause', () => {
    const throwing = createUpcasters().register('game.scored', 1, () => {
      throw new Error('bad data');
    });
    const empty = createUpcasters().register('game.scored', 1, () => undefined as never);
    const thrown = catchError(() => throwing.upcast(scored({})));
    expect(thrown).toMatchObject({ code: 'UPCAST', fromSchemaVersion: 1, toSchemaVersion: 2 });
    expect((thrown as Error).cause).toBeInstanceOf(Error);
    expect(catchError(() => empty.upcast(scored({})))).toBeInstanceOf(UpcastError);
  });

  it('stamp marks events of upcast types with the current schema version when they declare none', () => {
    const upcasters = chain();
    const fresh = scored({ amount: 1, reason: 'x' });
    const stamped = upcasters.stamp(fresh);
    expect(schemaVersionOf(stamped)).toBe(3);
    expect(upcasters.upcast(stamped)).toBe(stamped);
    expect(fresh.metadata.schemaVersion).toBeUndefined();
    const declared = scored({ points: 1 }, 1);
    expect(upcasters.stamp(declared)).toBe(declared);
  });

  it('rejects a second step from the same version and bad arguments', () => {
    const upcasters = chain();
    expect(() => upcasters.register('game.scored', 1, (e) => e)).toThrow(ValidationError);
    expect(() => upcasters.register('game.scored', 0, (e) => e)).toThrow(ValidationError);
    expect(() => upcasters.register('', 1, (e) => e)).toThrow(ValidationError);
    expect(() => upcasters.register('x', 1, 'nope' as never)).toThrow(ValidationError);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, nothing was thrown');
}
