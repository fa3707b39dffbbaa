import { describe, expect, it } from 'vitest';
import { type BaseEvent, ValidationError } from '../src/index.js';
import { validateEvents } from '../src/transport.js';
import { domainEvent } from './helpers.js';

function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('validateEvents', () => {
  it('accepts an empty batch and a batch of sound events', () => {
    expect(() => validateEvents([])).not.toThrow();
    expect(() => validateEvents([domainEvent(), domainEvent()])).not.toThrow();
  });

  it('rejects what is not an array, naming the batch field', () => {
    // Given / When / Then
    expect(rejection(() => validateEvents('nope')).field).toBe('events');
    expect(rejection(() => validateEvents({ length: 1 }, 'batch')).field).toBe('batch');
  });

  it('names the first bad element and its field, and says the path once', () => {
    // Given a batch whose third event has no id and whose fourth has a bad source
    const batch = [domainEvent(), domainEvent(), { ...domainEvent(), id: '' }, domainEvent({ metadata: { source: '', environment: 'e', correlationId: 'c' } })];

    // When it is validated
    const error = rejection(() => validateEvents(batch));

    // Then the error names the first bad element
    expect(error.field).toBe('events[2].id');
    expect(error.message).toBe('events[2].id: must be a non-empty string');
    expect(error.reason).toBe('must be a non-empty string');
  });

  it('says a nested path once (events[1].data.n, not events[1].data.n: data.n)', () => {
    // Given a batch whose second event holds a bigint in its data
    const batch = [domainEvent(), domainEvent({ data: { n: 1n } as unknown as Record<string, unknown> })];

    // When it is validated
    const error = rejection(() => validateEvents(batch));

    // Then the path appears once, in front of the reason
    expect(error.field).toBe('events[1].data.n');
    expect(error.message).toBe("events[1].data.n: is a bigint, which JSON cannot carry");
  });

  it('names the element itself when a check rejects it as a whole (field "event", e.g. the size limit)', () => {
    // Given a check that fails like the codec's size limit
    const tooBig = () => {
      throw new ValidationError('event', 'encodes to 2000000 bytes, over the 1048576-byte limit');
    };

    // When / Then
    const error = rejection(() => validateEvents([domainEvent()], 'events', tooBig));
    expect(error.field).toBe('events[0]');
    expect(error.message).toBe('events[0]: encodes to 2000000 bytes, over the 1048576-byte limit');
  });

  it("runs the caller's check after validateEvent: a thrown ValidationError is prefixed, a returned string names the element", () => {
    // Given a check that limits the type's length and one that rejects a kind of event
    const tooLong = (e: BaseEvent) => {
      if (e.type.length > 5) throw new ValidationError('type', 'is too long');
    };
    const noSystem = (e: BaseEvent) => (e.type.startsWith('sys.') ? 'must not be a system event' : undefined);
    const batch = [domainEvent({ type: 'a.b' }), domainEvent({ type: 'sys.long.type' })];

    // When / Then
    expect(rejection(() => validateEvents(batch, 'events', tooLong)).field).toBe('events[1].type');
    const whole = rejection(() => validateEvents(batch, 'events', noSystem));
    expect(whole.field).toBe('events[1]');
    expect(whole.message).toBe('events[1]: must not be a system event');
  });

  it('lets an error that is not a ValidationError through unchanged, and checks nothing after the first failure', () => {
    // Given a check that fails with a plain error on the first event
    const boom = new Error('codec exploded');
    const seen: number[] = [];

    // When the batch is validated
    const thrown = (() => {
      try {
        validateEvents([domainEvent(), domainEvent()], 'events', (_e, i) => {
          seen.push(i);
          throw boom;
        });
      } catch (error) {
        return error;
      }
      return undefined;
    })();

    // Then the same error comes out and the second event was never checked
    expect(thrown).toBe(boom);
    expect(seen).toEqual([0]);
  });
});
