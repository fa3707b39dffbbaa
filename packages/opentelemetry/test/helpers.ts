import { AsyncLocalStorage } from 'node:async_hooks';
import { createIntegrationEvent, type BaseEvent, type RetryStrategy } from '@herald/core';
import { ROOT_CONTEXT, type Context, type ContextManager, type SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

export function makeEvent(type = 'test.thing.happened', overrides: Partial<BaseEvent> = {}): BaseEvent {
  return {
    ...createIntegrationEvent({
      type,
      service: 'test',
      action: 'happened',
      payload: { n: 1 },
      metadata: { source: 'otel-test', environment: 'test' },
    }),
    ...overrides,
  };
}

export const fastRetry = (maxAttempts: number): RetryStrategy => ({
  maxAttempts,
  backoff: { type: 'fixed', delay: 1 },
  deadLetter: { enabled: true },
});

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

/** Polls `condition` until it holds; fails with `message` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, message: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${message}`);
    await new Promise((r) => setTimeout(r, 5));
  }
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
