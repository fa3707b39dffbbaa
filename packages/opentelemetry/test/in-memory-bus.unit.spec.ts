import { InMemoryEventBus, jsonCodec, type BaseEvent } from '@herald/core';
import { DispatchPipeline } from '@herald/core/transport';
import { context, propagation, SpanKind, SpanStatusCode, trace, type TextMapPropagator } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { formatTraceparent, openTelemetryMiddleware, parseTraceparent } from '../src/index.js';
import { fastRetry, makeEvent, TestContextManager, tracing, waitUntil } from './helpers.js';

describe('openTelemetryMiddleware on the in-memory bus', () => {
  let bus: InMemoryEventBus | undefined;
  afterEach(async () => {
    await bus?.close();
    bus = undefined;
  });

  it('links a PRODUCER span and a CONSUMER span in one trace, with messaging attributes', async () => {
    // Given a traced bus and a grouped subscriber
    const t = tracing();
    bus = new InMemoryEventBus({ middleware: [openTelemetryMiddleware({ tracerProvider: t.provider })] });
    let received: BaseEvent | undefined;
    await bus.subscribe(
      'orders.*',
      (e) => {
        received = e;
      },
      { group: 'billing' },
    );
    const event = makeEvent('orders.placed');

    // When an event is published and handled
    await bus.publish(event);
    await waitUntil(() => t.spans(SpanKind.CONSUMER).length === 1, 'the consumer span');

    // Then the producer span describes the publish
    const [producer] = t.spans(SpanKind.PRODUCER);
    const [consumer] = t.spans(SpanKind.CONSUMER);
    expect(producer!.name).toBe('publish orders.placed');
    expect(producer!.attributes).toEqual({
      'messaging.system': 'herald',
      'messaging.destination.name': 'orders.placed',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.message.id': event.id,
      'messaging.message.conversation_id': event.metadata.correlationId,
    });
    // and the handler got its context in metadata
    expect(received!.metadata.traceparent).toBe(formatTraceparent(producer!.spanContext()));
    // and the consumer span is its child, describing the attempt
    expect(consumer!.name).toBe('process orders.placed');
    expect(consumer!.spanContext().traceId).toBe(producer!.spanContext().traceId);
    expect(consumer!.parentSpanContext?.spanId).toBe(producer!.spanContext().spanId);
    expect(consumer!.attributes).toEqual({
      'messaging.system': 'herald',
      'messaging.destination.name': 'orders.placed',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.message.id': event.id,
      'messaging.message.conversation_id': event.metadata.correlationId,
      'messaging.destination.subscription.name': 'orders.*',
      'messaging.consumer.group.name': 'billing',
      'herald.attempt': 1,
      'herald.max_attempts': 3,
    });
    expect(consumer!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('costs nothing visible when no tracer provider is registered anywhere', async () => {
    // Given the api's default no-op provider
    bus = new InMemoryEventBus({ middleware: [openTelemetryMiddleware()] });
    let received: BaseEvent | undefined;
    await bus.subscribe('#', (e) => {
      received = e;
    });

    // When an event goes through
    await bus.publish(makeEvent('untraced.event'));
    await waitUntil(() => received !== undefined, 'the handling');

    // Then it is delivered without a trace context to carry
    expect(received!.metadata.traceparent).toBeUndefined();
  });

  it("leaves the caller's event untouched", async () => {
    const t = tracing();
    bus = new InMemoryEventBus({ middleware: [openTelemetryMiddleware({ tracerProvider: t.provider })] });
    const event = makeEvent('untouched.event');
    const before = structuredClone(event);

    await bus.publish(event);

    expect(event).toEqual(before);
    expect(event.metadata.traceparent).toBeUndefined();
  });

  it('shows each retry as its own CONSUMER span, failures recorded with status ERROR', async () => {
    // Given a handler that fails twice, then succeeds
    const t = tracing();
    bus = new InMemoryEventBus({ middleware: [openTelemetryMiddleware({ tracerProvider: t.provider, system: 'in-memory' })] });
    let calls = 0;
    await bus.subscribe('flaky.#', {
      handle: () => {
        calls++;
        if (calls < 3) throw new TypeError(`attempt ${calls} failed`);
      },
      retryStrategy: fastRetry(3),
    });

    // When one event is published
    await bus.publish(makeEvent('flaky.job'));
    await waitUntil(() => t.spans(SpanKind.CONSUMER).length === 3, 'three consumer spans');

    // Then three attempts, all children of the one producer span
    const [producer] = t.spans(SpanKind.PRODUCER);
    const attempts = t.spans(SpanKind.CONSUMER);
    expect(attempts.map((s) => s.attributes['herald.attempt'])).toEqual([1, 2, 3]);
    expect(attempts.map((s) => s.attributes['messaging.system'])).toEqual(['in-memory', 'in-memory', 'in-memory']);
    for (const span of attempts) expect(span.parentSpanContext?.spanId).toBe(producer!.spanContext().spanId);
    expect(new Set(attempts.map((s) => s.spanContext().spanId)).size).toBe(3);
    // the failures carry the error
    for (const [i, span] of attempts.slice(0, 2).entries()) {
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: `attempt ${i + 1} failed` });
      expect(span.attributes['error.type']).toBe('TypeError');
      const exception = span.events.find((e) => e.name === 'exception');
      expect(exception?.attributes?.['exception.message']).toBe(`attempt ${i + 1} failed`);
    }
    expect(attempts[2]!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records a handler that throws synchronously on every attempt, up to the dead letter', async () => {
    const t = tracing();
    bus = new InMemoryEventBus({ middleware: [openTelemetryMiddleware({ tracerProvider: t.provider })] });
    await bus.subscribe('doomed.#', {
      handle: () => {
        throw new Error('always');
      },
      retryStrategy: fastRetry(2),
    });

    await bus.publish(makeEvent('doomed.job'));
    await waitUntil(async () => (await bus!.deadLetters.list()).length === 1, 'the dead letter');

    const attempts = t.spans(SpanKind.CONSUMER);
    expect(attempts.map((s) => [s.attributes['herald.attempt'], s.status.code])).toEqual([
      [1, SpanStatusCode.ERROR],
      [2, SpanStatusCode.ERROR],
    ]);
  });

  it('creates no CONSUMER span for a filtered event', async () => {
    const t = tracing();
    bus = new InMemoryEventBus({ middleware: [openTelemetryMiddleware({ tracerProvider: t.provider })] });
    await bus.subscribe('#', { handle: () => {}, filter: () => false });
    let seen = 0;
    await bus.subscribe('#', () => {
      seen++;
    });

    await bus.publish(makeEvent('filtered.event'));
    await waitUntil(() => seen === 1, 'the unfiltered subscriber');

    expect(t.spans(SpanKind.CONSUMER)).toHaveLength(1);
  });

  it('marks the PRODUCER span ERROR when the publish is rejected', async () => {
    // Given a transport step after the middleware that refuses the event
    const t = tracing();
    bus = new InMemoryEventBus({
      middleware: [openTelemetryMiddleware({ tracerProvider: t.provider }), { publish: () => Promise.reject(new Error('broker said no')) }],
    });

    // When publishing
    await expect(bus.publish(makeEvent('refused.event'))).rejects.toThrow('broker said no');

    // Then the span says so
    const [producer] = t.spans(SpanKind.PRODUCER);
    expect(producer!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'broker said no' });
  });

  it('continues the trace across a process boundary: bytes on the wire, a different tracer provider', async () => {
    // Given process A publishing through a traced bus, and the event as it goes over the wire
    const a = tracing();
    bus = new InMemoryEventBus({ middleware: [openTelemetryMiddleware({ tracerProvider: a.provider })] });
    let wire: Buffer | undefined;
    await bus.subscribe('#', (e) => {
      wire = jsonCodec.encode(e);
    });
    await bus.publish(makeEvent('cross.process'));
    await waitUntil(() => wire !== undefined, 'the encoded event');

    // When process B decodes and handles it through core's dispatch pipeline (as every transport does)
    const b = tracing();
    const pipeline = new DispatchPipeline({ middleware: [openTelemetryMiddleware({ tracerProvider: b.provider })] });
    const target = pipeline.createTarget('cross.#', () => {});
    const decoded = pipeline.decode(wire!, { pattern: 'cross.#' });
    const outcome = await pipeline.deliver(target, decoded.event!, new AbortController().signal);

    // Then B's consumer span is a child of A's producer span
    expect(outcome.status).toBe('success');
    const [producer] = a.spans(SpanKind.PRODUCER);
    const [consumer] = b.spans(SpanKind.CONSUMER);
    expect(consumer!.spanContext().traceId).toBe(producer!.spanContext().traceId);
    expect(consumer!.parentSpanContext).toMatchObject({ spanId: producer!.spanContext().spanId, isRemote: true });
  });

  it('continues the trace an event already carries when nothing is in scope (relay, replay)', async () => {
    // Given an event stamped by an earlier publish
    const t = tracing();
    const earlier = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    bus = new InMemoryEventBus({ middleware: [openTelemetryMiddleware({ tracerProvider: t.provider })] });

    // When it is published again with no active span
    await bus.publish(makeEvent('relayed.event', { metadata: { ...makeEvent().metadata, traceparent: earlier } }));

    // Then the new producer span joins that trace
    const [producer] = t.spans(SpanKind.PRODUCER);
    expect(producer!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(producer!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  describe('with a context manager (active spans follow async calls)', () => {
    const manager = new TestContextManager();
    afterEach(() => {
      context.disable();
    });

    it("parents the producer on the caller's span, and a publish inside a handler on the consumer span", async () => {
      // Given a context manager, and a handler that publishes a follow-up event
      context.setGlobalContextManager(manager);
      const t = tracing();
      const tracer = t.provider.getTracer('app');
      bus = new InMemoryEventBus({ middleware: [openTelemetryMiddleware({ tracerProvider: t.provider })] });
      await bus.subscribe('order.placed', async (e) => {
        await bus!.publish(makeEvent('invoice.requested', { metadata: { ...e.metadata } }));
      });
      let followUps = 0;
      await bus.subscribe('invoice.requested', () => {
        followUps++;
      });

      // When an HTTP-request span publishes the first event
      await tracer.startActiveSpan('POST /orders', async (request) => {
        await bus!.publish(makeEvent('order.placed'));
        request.end();
      });
      await waitUntil(() => followUps === 1, 'the follow-up handling');
      await waitUntil(() => t.spans(SpanKind.CONSUMER).length === 2, 'both consumer spans');

      // Then one trace: request → publish order → process order → publish invoice → process invoice
      const byName = new Map(t.spans().map((s) => [s.name, s]));
      const chain = ['POST /orders', 'publish order.placed', 'process order.placed', 'publish invoice.requested', 'process invoice.requested'];
      const spans = chain.map((name) => byName.get(name)!);
      expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
      for (let i = 1; i < spans.length; i++) {
        expect(spans[i]!.parentSpanContext?.spanId, chain[i]).toBe(spans[i - 1]!.spanContext().spanId);
      }
    });
  });

  describe('with a global propagator', () => {
    afterEach(() => {
      propagation.disable();
      trace.disable();
    });

    it('injects and extracts through it, keeping its extra fields in metadata', async () => {
      // Given a global propagator writing W3C plus a vendor field, and the global tracer provider
      const vendor: TextMapPropagator = {
        fields: () => ['traceparent', 'x-vendor-trace'],
        inject(ctx, carrier, setter) {
          const sc = trace.getSpanContext(ctx);
          if (!sc) return;
          setter.set(carrier, 'traceparent', formatTraceparent(sc)!);
          setter.set(carrier, 'x-vendor-trace', `v:${sc.spanId}`);
        },
        extract(ctx, carrier, getter) {
          const sc = parseTraceparent(getter.get(carrier, 'traceparent'));
          return sc && getter.get(carrier, 'x-vendor-trace') === `v:${sc.spanId}` ? trace.setSpanContext(ctx, sc) : ctx;
        },
      };
      propagation.setGlobalPropagator(vendor);
      const t = tracing();
      trace.setGlobalTracerProvider(t.provider);
      bus = new InMemoryEventBus({ middleware: [openTelemetryMiddleware()] });
      let received: BaseEvent | undefined;
      await bus.subscribe('#', (e) => {
        received = e;
      });

      // When an event goes through
      await bus.publish(makeEvent('vendor.event'));
      await waitUntil(() => t.spans(SpanKind.CONSUMER).length === 1, 'the consumer span');

      // Then the vendor field travelled and the consumer was parented through it
      const [producer] = t.spans(SpanKind.PRODUCER);
      const [consumer] = t.spans(SpanKind.CONSUMER);
      expect(received!.metadata['x-vendor-trace']).toBe(`v:${producer!.spanContext().spanId}`);
      expect(consumer!.parentSpanContext?.spanId).toBe(producer!.spanContext().spanId);
    });

    it('still writes a W3C traceparent when the global propagator does not', async () => {
      // Given a baggage-only style propagator
      propagation.setGlobalPropagator({
        fields: () => ['x-only-this'],
        inject: (_ctx, carrier, setter) => setter.set(carrier, 'x-only-this', 'yes'),
        extract: (ctx) => ctx,
      });
      const t = tracing();
      bus = new InMemoryEventBus({ middleware: [openTelemetryMiddleware({ tracerProvider: t.provider })] });
      let received: BaseEvent | undefined;
      await bus.subscribe('#', (e) => {
        received = e;
      });

      await bus.publish(makeEvent('w3c.fallback'));
      await waitUntil(() => t.spans(SpanKind.CONSUMER).length === 1, 'the consumer span');

      const [producer] = t.spans(SpanKind.PRODUCER);
      const [consumer] = t.spans(SpanKind.CONSUMER);
      expect(received!.metadata['x-only-this']).toBe('yes');
      expect(received!.metadata.traceparent).toBe(formatTraceparent(producer!.spanContext()));
      expect(consumer!.parentSpanContext?.spanId).toBe(producer!.spanContext().spanId);
    });
  });
});
