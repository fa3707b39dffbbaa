import { describe, expect, it } from 'vitest';
import * as main from '../src/index.js';
import * as transport from '../src/transport.js';

describe('the two entries', () => {
  it('export each name from one entry only, and keep the transport building blocks off the main one', () => {
    // Given both entries / When their names are compared
    const both = Object.keys(transport).filter((name) => name in main);
    // Then none is on both, and what an application never needs is only on the transport entry
    expect(both).toEqual([]);
    for (const name of ['copyFields', 'Deque', 'DeliveryQueues', 'DispatchPipeline', 'PublishWindow', 'positiveInt']) {
      expect(name in main, name).toBe(false);
      expect(name in transport, name).toBe(true);
    }
  });

  it('share one class per error, whichever entry threw it', () => {
    // When a transport helper rejects a value
    const thrown = (() => {
      try {
        transport.positiveInt(0, 'concurrency');
      } catch (error) {
        return error;
      }
    })();
    // Then it is the main entry's ValidationError
    expect(thrown).toBeInstanceOf(main.ValidationError);
  });
});
