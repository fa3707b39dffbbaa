import { describe, expect, it } from 'vitest';
import {
  BusClosedError,
  createUpcasters,
  jsonCodec,
  ValidationError,
  type BaseEvent,
  type EventBusMiddleware,
} from '../src/index.js';
import { DispatchPipeline, PublishPath, type EncodedEvent } from '../src/transport.js';
import { deferred, domainEvent, flush } from './helpers.js';

/** A path whose transmit and transmitBatch record what they were given. */
function recordingPath(middleware: EventBusMiddleware[] = [], pipeline = new DispatchPipeline({ middleware })) {
  const sent: BaseEvent[] = [];
  const batches: Array<{ events: readonly BaseEvent[]; payloads: readonly EncodedEvent[] }> = [];
  const path = new PublishPath({
    pipeline,
    transmit: async (event) => {
      sent.push(event);
    },
    transmitBatch: async (events, payloads) => {
      batches.push({ events, payloads });
    },
  });
  return { path, sent, batches };
}

describe('PublishPath', () => {
  it('publish validates before transmit and rejects (never throws) on a bad event', async () => {
    // Given a path
    const { path, sent } = recordingPath();
    // When an invalid event is published, Then the promise rejects with a ValidationError and nothing is sent
    let result: Promise<void> | undefined;
    expect(() => {
      result = path.publish({ id: '' } as BaseEvent);
    }).not.toThrow();
    await expect(result).rejects.toBeInstanceOf(ValidationError);
    expect(sent).toEqual([]);
    // And a sound one goes to transmit
    const event = domainEvent();
    await path.publish(event);
    expect(sent).toEqual([event]);
  });

  it('publishAll checks the whole batch first, then sends it encoded in one transmitBatch', async () => {
    // Given a path with a batch transmit
    const { path, sent, batches } = recordingPath();
    const good = [domainEvent(), domainEvent()];
    // When a batch with one bad event is published, Then nothing is sent and the error names the element
    await expect(path.publishAll([good[0]!, { id: 'x' } as BaseEvent])).rejects.toMatchObject({ field: expect.stringMatching(/^events\[1\]/) });
    expect(batches).toEqual([]);
    // When a sound batch is published, Then one transmitBatch carries the events and their encodings
    await path.publishAll(good);
    expect(sent).toEqual([]);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.events).toEqual(good);
    expect(batches[0]!.payloads.map((p) => jsonCodec.decode(p).id)).toEqual(good.map((e) => e.id));
    // And an empty batch sends nothing
    await path.publishAll([]);
    expect(batches).toHaveLength(1);
  });

  it('with publish middleware, publishAll sends each event through the middleware and transmit', async () => {
    // Given a publish middleware that records what it sees
    const seen: string[] = [];
    const middleware: EventBusMiddleware = {
      publish: async (event, next) => {
        seen.push(event.id);
        await next(event);
      },
    };
    const { path, sent, batches } = recordingPath([middleware]);
    const events = [domainEvent(), domainEvent()];
    // When a batch is published
    await path.publishAll(events);
    // Then no batch transmit: each event went through the middleware on its own
    expect(batches).toEqual([]);
    expect(seen).toEqual(events.map((e) => e.id));
    expect(sent.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('stamps the current schema version on a batch sent without the publish chain', async () => {
    // Given upcasters that make version 2 current
    const upcasters = createUpcasters().register('gamifier.points.awarded', 1, (e) => e);
    const { path, batches } = recordingPath([], new DispatchPipeline({ upcasters }));
    // When an event without a schema version is published in a batch
    await path.publishAll([domainEvent()]);
    // Then what is sent declares version 2
    const payload = batches[0]?.payloads[0] ?? '';
    expect(jsonCodec.decode(payload).metadata?.schemaVersion).toBe(2);
  });

  it('after close, publishes reject with BusClosedError; close waits for those under way', async () => {
    // Given a publish that Redis has not answered yet
    const reply = deferred();
    const path = new PublishPath({ pipeline: new DispatchPipeline(), transmit: () => reply.promise });
    const pending = path.publish(domainEvent());
    // When the path closes
    let closed = false;
    const closing = path.close().then(() => {
      closed = true;
    });
    // Then new publishes are refused, and close waits for the one under way
    expect(path.isClosed).toBe(true);
    await expect(path.publish(domainEvent())).rejects.toBeInstanceOf(BusClosedError);
    await expect(path.publishAll([domainEvent()])).rejects.toBeInstanceOf(BusClosedError);
    await flush();
    expect(closed).toBe(false);
    reply.resolve();
    await pending;
    await closing;
    expect(closed).toBe(true);
  });
});
