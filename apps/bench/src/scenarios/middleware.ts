import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createIntegrationEvent, InMemoryEventBus, type BaseEvent, type EventBusMiddleware } from '@herald/core';
import { openTelemetryMiddleware } from '@herald/opentelemetry';
import { PrometheusEventTracker, prometheusMiddleware } from '@herald/prometheus';
import { context, ROOT_CONTEXT, SpanKind, trace, type Context, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { result, type BenchContext, type BenchResult, type Scenario } from '../harness.js';

// Overhead of each observability middleware on the in-memory bus: events through one
// subscription, with the middleware against without it.
//
// Method. Every measurement runs in a fresh child process, bare and with-middleware
// alternately, best of several rounds: in one process the variants make V8's call sites
// in core polymorphic and slow every later run, bare ones included, which says more
// about the bench than about the middleware. Throughput is events per CPU-second of the
// child (process.cpuUsage), so other work on the machine does not count against a run.
//
// Handlers. `noop` is the worst case (the middleware is most of the work per event);
// `light` serialises the event, about the least a real handler does. The Prometheus target
// (≥ 0.85 of the bare bus) is judged with `light`; the no-op figure is reported, not judged:
// exact per-attempt metrics cost a fixed ≈100 ns an event, most of a bus that does nothing.
//
// OpenTelemetry. Two recorded spans cost far more than the in-memory bus, so the ratio to the
// bare bus says little. The like-for-like baseline (`otel-by-hand`) is what a user would write
// instead of the middleware, against the SDK on the same bare bus: a PRODUCER span around
// publish with the same attributes, its W3C trace context injected into a copy of the event's
// metadata with the SDK's W3CTraceContextPropagator, and in the handler the context extracted
// with the same propagator and a CONSUMER span (same attributes) active around the work.
// Target: the middleware ≥ 0.8 of that baseline.
//
// The floor. Any middleware that times attempts pays core's timing: two monotonic clock
// reads per attempt plus the outcome it hears. The `timed-observer` reference measures
// exactly that (an observer that only adds up the duration and end time it is given), and
// the run logs what one clock read costs on this machine, so the Prometheus figure can be
// read against what no per-attempt metrics could beat.

const TYPES = 8;
const CHILD_FLAG = '--middleware-bench-child';

type HandlerKind = 'noop' | 'light';
type Setup =
  | 'bare'
  | 'prometheus'
  | 'empty-observer'
  | 'timed-observer'
  | 'otel-recording'
  | 'otel-by-hand'
  | 'otel-no-provider'
  | 'both';

interface Comparison {
  metric: string;
  setup: Setup;
  handler: HandlerKind;
  /** What the setup is measured against, in the same run. Default: the bare bus. */
  against?: Setup;
  minRatio?: number;
}

const AGAINST_NAME: Partial<Record<Setup, string>> = {
  bare: 'same bus, no middleware',
  'otel-by-hand': 'the same two spans + W3C inject/extract by hand against the SDK, no middleware',
};

const COMPARISONS: Comparison[] = [
  { metric: 'PrometheusEventTracker middleware, light handler (JSON.stringify)', setup: 'prometheus', handler: 'light', minRatio: 0.85 },
  { metric: 'PrometheusEventTracker middleware, no-op handler (reported, not judged)', setup: 'prometheus', handler: 'noop' },
  { metric: 'reference: empty onOutcome observer (core cost), no-op handler', setup: 'empty-observer', handler: 'noop' },
  {
    metric: 'reference: observer reading the timed outcome (floor of per-attempt timing), no-op handler',
    setup: 'timed-observer',
    handler: 'noop',
  },
  {
    metric: 'openTelemetryMiddleware vs the same spans by hand, recording (export excluded), no-op handler',
    setup: 'otel-recording',
    handler: 'noop',
    against: 'otel-by-hand',
    minRatio: 0.8,
  },
  { metric: 'openTelemetryMiddleware, recording spans (export excluded), no-op handler', setup: 'otel-recording', handler: 'noop' },
  { metric: 'reference: the same spans by hand against the SDK, no-op handler', setup: 'otel-by-hand', handler: 'noop' },
  { metric: 'openTelemetryMiddleware, no tracer provider, no-op handler', setup: 'otel-no-provider', handler: 'noop' },
  { metric: 'both (OpenTelemetry recording + Prometheus), no-op handler', setup: 'both', handler: 'noop' },
];

// ---- child: one setup, measured in this process -------------------------------------

/** Ends spans into nothing: measures recording spans, not exporting them. */
class DiscardingSpanProcessor implements SpanProcessor {
  onStart(_span: Span, _context: Context): void {}
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function recordingProvider(): BasicTracerProvider {
  return new BasicTracerProvider({ spanProcessors: [new DiscardingSpanProcessor()] });
}

type Publish = (bus: InMemoryEventBus, event: BaseEvent) => Promise<void>;
type Handle = (event: BaseEvent, work: (event: BaseEvent) => void) => void;

/** How a setup publishes and handles: through the bus alone, or wrapped by hand. */
interface Variant {
  middleware: EventBusMiddleware[];
  publish: Publish;
  handle: Handle;
}

const plainPublish: Publish = (bus, event) => bus.publish(event);
const plainHandle: Handle = (event, work) => work(event);

function variantFor(setup: Setup): Variant {
  if (setup === 'otel-by-hand') return tracedByHand(recordingProvider().getTracer('bench-by-hand'));
  return { middleware: middlewareFor(setup), publish: plainPublish, handle: plainHandle };
}

/**
 * The baseline a user would write instead of the middleware: the same PRODUCER and CONSUMER
 * spans with the same attributes, the trace context carried in a copy of the metadata through
 * the SDK's W3C propagator, each span active around what it covers, a failure recorded.
 */
function tracedByHand(tracer: Tracer): Variant {
  const propagator = new W3CTraceContextPropagator();
  const setter = {
    set(carrier: Record<string, unknown>, key: string, value: string) {
      carrier[key] = value;
    },
  };
  const getter = {
    keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
    get: (carrier: Record<string, unknown>, key: string) => {
      const value = carrier[key];
      return typeof value === 'string' ? value : undefined;
    },
  };
  return {
    middleware: [],
    async publish(bus, event) {
      const active = context.active();
      const span = tracer.startSpan(
        `publish ${event.type}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'herald',
            'messaging.destination.name': event.type,
            'messaging.operation.type': 'send',
            'messaging.operation.name': 'publish',
            'messaging.message.id': event.id,
            'messaging.message.conversation_id': event.metadata.correlationId,
          },
        },
        active,
      );
      const spanContext = trace.setSpan(active, span);
      // A copy: the caller's event is not modified (as the middleware promises).
      const metadata = Object.assign({}, event.metadata) as Record<string, unknown>;
      propagator.inject(spanContext, metadata, setter);
      const traced = { ...event, metadata } as BaseEvent;
      try {
        await context.with(spanContext, () => bus.publish(traced));
      } catch (error) {
        span.recordException(error as Error);
        throw error;
      } finally {
        span.end();
      }
    },
    handle(event, work) {
      const parent = propagator.extract(ROOT_CONTEXT, event.metadata as Record<string, unknown>, getter);
      const span = tracer.startSpan(
        `process ${event.type}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'herald',
            'messaging.destination.name': event.type,
            'messaging.operation.type': 'process',
            'messaging.operation.name': 'process',
            'messaging.message.id': event.id,
            'messaging.message.conversation_id': event.metadata.correlationId,
            'messaging.destination.subscription.name': 'bench.#',
            'herald.attempt': 1,
            'herald.max_attempts': 3,
          },
        },
        parent,
      );
      try {
        context.with(trace.setSpan(parent, span), work, undefined, event);
      } catch (error) {
        span.recordException(error as Error);
        throw error;
      } finally {
        span.end();
      }
    },
  };
}

function middlewareFor(setup: Setup): EventBusMiddleware[] {
  const recording = () => openTelemetryMiddleware({ tracerProvider: recordingProvider() });
  switch (setup) {
    case 'bare':
    case 'otel-by-hand':
      return [];
    case 'prometheus':
      return [prometheusMiddleware(new PrometheusEventTracker({ registry: new Registry() }))];
    case 'empty-observer':
      return [{ onOutcome: () => {} }];
    case 'timed-observer': {
      // Reads what a metrics middleware must read, so V8 cannot drop the outcome.
      const totals = { ms: 0, endedAt: 0 };
      return [
        {
          onOutcome: (_event, outcome) => {
            totals.ms += outcome.durationMs;
            totals.endedAt = outcome.endedAt ?? 0;
          },
        },
      ];
    }
    case 'otel-recording':
      return [recording()];
    case 'otel-no-provider':
      return [openTelemetryMiddleware()];
    case 'both':
      return [recording(), prometheusMiddleware(new PrometheusEventTracker({ registry: new Registry() }))];
  }
}

function makeEvents(): BaseEvent[] {
  return Array.from({ length: TYPES }, (_, i) =>
    createIntegrationEvent({
      type: `bench.kind${i}.happened`,
      service: 'bench',
      action: 'happened',
      payload: { i, player: `player-${i}`, points: 10 * i },
      metadata: { source: 'bench', environment: 'bench' },
    }),
  );
}

/** Publishes `count` events (cycling through the types), waits until all were handled; events per CPU-second. */
async function runOnce(variant: Variant, handler: HandlerKind, events: BaseEvent[], count: number): Promise<number> {
  const bus = new InMemoryEventBus({ middleware: variant.middleware });
  const { publish, handle } = variant;
  let handled = 0;
  let bytes = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const work = (event: BaseEvent) => {
    if (handler === 'light') bytes += JSON.stringify(event).length;
    if (++handled === count) done();
  };
  await bus.subscribe('bench.#', (event) => handle(event, work));
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) await publish(bus, events[i % TYPES]!);
  await finished;
  const used = process.cpuUsage(cpu);
  await bus.close();
  if (handler === 'light' && bytes === 0) throw new Error('the light handler did no work');
  return count / ((used.user + used.system) / 1e6);
}

async function child(setup: Setup, handler: HandlerKind, count: number, runs: number): Promise<void> {
  const events = makeEvents();
  const variant = variantFor(setup);
  await runOnce(variant, handler, events, Math.ceil(count / 4)); // warm-up
  let best = 0;
  for (let i = 0; i < runs; i++) best = Math.max(best, await runOnce(variant, handler, events, count));
  process.stdout.write(`${JSON.stringify({ eventsPerCpuSecond: best })}\n`);
}

// ---- parent: alternating children ------------------------------------------------------

const run$ = promisify(execFile);
const here = fileURLToPath(import.meta.url);

async function measure(setup: Setup, handler: HandlerKind, count: number, runs: number): Promise<number> {
  const { stdout } = await run$(process.execPath, [...process.execArgv, here, CHILD_FLAG, setup, handler, String(count), String(runs)], {
    timeout: 120_000,
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  return (JSON.parse(line) as { eventsPerCpuSecond: number }).eventsPerCpuSecond;
}

/** Nanoseconds one `performance.now()` takes here (what core's per-attempt timing pays twice): best of five rounds. */
function clockReadNanos(): number {
  const clock = performance;
  const reads = 500_000;
  let sink = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < reads; i++) sink += clock.now();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / reads);
  }
  if (!(sink > 0)) throw new Error('clock reads were optimised away'); // uses sink, so they cannot be
  return best;
}

async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const count = ctx.quick ? 20_000 : 200_000;
  ctx.log(`one performance.now() costs ${clockReadNanos().toFixed(0)} ns here; core reads it twice per timed attempt`);
  const rounds = ctx.quick ? 1 : 3;
  const runs = ctx.quick ? 1 : 3;
  const results: BenchResult[] = [];
  for (const c of COMPARISONS) {
    const against = c.against ?? 'bare';
    let baseline = 0;
    let withMiddleware = 0;
    for (let r = 0; r < rounds; r++) {
      baseline = Math.max(baseline, await measure(against, c.handler, count, runs));
      withMiddleware = Math.max(withMiddleware, await measure(c.setup, c.handler, count, runs));
    }
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    ctx.log(`${c.metric}: ${fmt(withMiddleware)} vs ${against} ${fmt(baseline)} events/CPU-s (${(withMiddleware / baseline).toFixed(2)})`);
    results.push(
      result({
        scenario: 'middleware',
        metric: c.metric,
        herald: withMiddleware,
        baseline,
        baselineName: AGAINST_NAME[against] ?? against,
        unit: 'events/CPU-s',
        ...(c.minRatio === undefined || ctx.quick ? {} : { minRatio: c.minRatio }),
      }),
    );
  }
  return results;
}

export const scenarios: Scenario[] = [{ name: 'middleware', run }];

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url && process.argv[2] === CHILD_FLAG) {
  const [setup, handler, count, runs] = process.argv.slice(3) as [Setup, HandlerKind, string, string];
  child(setup, handler, Number(count), Number(runs)).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}
