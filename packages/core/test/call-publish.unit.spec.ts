import { describe, expect, it } from 'vitest';
import { ValidationError, type BaseEvent } from '../src/index.js';
import { callPublish, publishEach, type PublishFn } from '../src/transport.js';
import { domainEvent } from './helpers.js';

describe('callPublish', () => {
  it('returns the promise of the publish function itself', async () => {
    // Given a publish function that records the event
    const sent: string[] = [];
    const done = Promise.resolve();
    const send: PublishFn = (event) => {
      sent.push(event.id);
      return done;
    };
    const event = domainEvent();

    // When it is called through callPublish
    const result = callPublish(send, event);

    // Then the very same promise comes back, and the event was sent
    expect(result).toBe(done);
    await result;
    expect(sent).toEqual([event.id]);
  });

  it('turns a synchronous throw into a rejection', async () => {
    // Given a publish function that validates synchronously and throws
    const invalid = new ValidationError('id', 'must be a non-empty string');
    const send: PublishFn = () => {
      throw invalid;
    };

    // When it is called through callPublish, Then nothing throws and the promise rejects with the error
    let result: Promise<void> | undefined;
    expect(() => {
      result = callPublish(send, domainEvent());
    }).not.toThrow();
    await expect(result).rejects.toBe(invalid);
  });
});

describe('publishEach', () => {
  it('publishes every event, waits for all, and rejects with the first failure only after all settled', async () => {
    // Given a send that fails for the second event and is slow for the third
    const settled: string[] = [];
    const failure = new Error('second fails');
    const send: PublishFn = async (event) => {
      if (event.id === 'b') throw failure;
      if (event.id === 'c') await new Promise((r) => setTimeout(r, 20));
      settled.push(event.id);
    };
    const events = ['a', 'b', 'c'].map((id) => ({ id }) as BaseEvent);

    // When all three are published
    const error = await publishEach(send, events).catch((e: unknown) => e);

    // Then the first failure is reported, and the slow publish had finished by then
    expect(error).toBe(failure);
    expect(settled).toEqual(['a', 'c']);
    await expect(publishEach(send, [events[0]!])).resolves.toBeUndefined();
  });
});
