import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { openTelemetryMiddleware } from '../src/index.js';
import { makeEvent, tracing, waitUntil } from './helpers.js';
import { TRANSPORTS, TransportKit } from './transports.js';

describe.each(TRANSPORTS)('openTelemetryMiddleware across %s', (transport) => {
  const kit = new TransportKit(transport);
  afterEach(() => kit.cleanup(), 60_000);

  it("parents the consumer's span on the producer's span, across two buses and two tracer providers", async () => {
    // Given a publishing bus and a consuming bus (two "processes"), each with its own tracer provider
    const producerSide = tracing();
    const consumerSide = tracing();
    const [publisher, consumer] = kit.pair(
      [openTelemetryMiddleware({ tracerProvider: producerSide.provider, system: transport })],
      [openTelemetryMiddleware({ tracerProvider: consumerSide.provider, system: transport })],
    );
    let traceparent: unknown;
    await consumer.subscribe('orders.*', (e) => {
      traceparent = e.metadata.traceparent;
    });

    // When an event goes over the wire
    const event = makeEvent('orders.placed');
    await publisher.publish(event);
    await waitUntil(() => consumerSide.spans(SpanKind.CONSUMER).length === 1, `the consumer span over ${transport}`, 10_000);

    // Then the consumer span is the producer span's child in the same trace, with the transport's name
    const [producer] = producerSide.spans(SpanKind.PRODUCER);
    const [span] = consumerSide.spans(SpanKind.CONSUMER);
    expect(traceparent).toMatch(new RegExp(`^00-${producer!.spanContext().traceId}-${producer!.spanContext().spanId}-01$`));
    expect(span!.spanContext().traceId).toBe(producer!.spanContext().traceId);
    expect(span!.parentSpanContext).toMatchObject({ spanId: producer!.spanContext().spanId, isRemote: true });
    expect(span!.attributes).toMatchObject({
      'messaging.system': transport,
      'messaging.destination.name': 'orders.placed',
      'messaging.message.id': event.id,
      'messaging.message.conversation_id': event.metadata.correlationId,
      'herald.attempt': 1,
    });
  });

  it('shows a retry over the transport as a second CONSUMER span of the same producer', async () => {
    // Given a consumer that fails its first attempt
    const producerSide = tracing();
    const consumerSide = tracing();
    const [publisher, consumer] = kit.pair(
      [openTelemetryMiddleware({ tracerProvider: producerSide.provider })],
      [openTelemetryMiddleware({ tracerProvider: consumerSide.provider })],
    );
    let calls = 0;
    await consumer.subscribe('jobs.#', {
      handle: () => {
        calls++;
        if (calls === 1) throw new Error('first attempt fails');
      },
      retryStrategy: { maxAttempts: 3, backoff: { type: 'fixed', delay: 50 }, deadLetter: { enabled: true } },
    });

    // When one event is published
    await publisher.publish(makeEvent('jobs.run'));
    await waitUntil(() => consumerSide.spans(SpanKind.CONSUMER).length === 2, `two attempts over ${transport}`, 10_000);

    // Then attempt 1 failed, attempt 2 succeeded, both children of the one producer span
    const [producer] = producerSide.spans(SpanKind.PRODUCER);
    const attempts = consumerSide.spans(SpanKind.CONSUMER).sort(
      (a, b) => Number(a.attributes['herald.attempt']) - Number(b.attributes['herald.attempt']),
    );
    expect(attempts.map((s) => [s.attributes['herald.attempt'], s.status.code])).toEqual([
      [1, SpanStatusCode.ERROR],
      [2, SpanStatusCode.UNSET],
    ]);
    for (const span of attempts) {
      expect(span.spanContext().traceId).toBe(producer!.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(producer!.spanContext().spanId);
    }
  });
});
