import { AsyncLocalStorage } from 'node:async_hooks';
import { createIntegrationEvent, type BaseEvent } from '@herald/core';
import { ROOT_CONTEXT, type Context, type ContextManager, type SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { eventMaker, fastRetry } from '../../../tooling/test-support/events.js';
import { until } from '../../../tooling/test-support/wait.js';

export const makeEvent = eventMaker<BaseEvent>(createIntegrationEvent, 'otel-test');

export { fastRetry, until as waitUntil };

/** A tracer provider exporting every ended span synchronously into memory. */
export function tracing(): { provider: BasicTracerProvider; exporter: InMemorySpanExporter; spans(kind?: SpanKind): ReadableSpan[] } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    provider,
    exporter,
    spans: (kind) => exporter.getFinishedSpans().filter((s) => kind === undefined || s.kind === kind),
  };
}

/**
 * A context manager on AsyncLocalStorage, for tests that need the active span to follow
 * async calls (the SDK's Node packages ship one; this package does not depend on them).
 */
export class TestContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(context, () => fn.call(thisArg, ...args));
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => (target as (...a: unknown[]) => unknown).apply(this, args));
    } as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}
