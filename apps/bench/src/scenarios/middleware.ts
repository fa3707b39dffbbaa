import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createIntegrationEvent, InMemoryEventBus, type BaseEvent, type EventBusMiddleware } from '@herald/core';
import { openTelemetryMiddleware } from '@herald/opentelemetry';
import { PrometheusEventTracker, prometheusMiddleware } from '@herald/prometheus';
import type { Context } from '@opentelemetry/api';
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
// `light` serialises the event, about the least a real handler does.
//
// The floor. Any middleware that times attempts pays core's timing: two monotonic clock
// reads per attempt plus the outcome it hears. The `timed-observer` reference measures
// exactly that (an observer that only adds up the duration and end time it is given), and
// the run logs what one clock read costs on this machine, so the Prometheus figure can be
// read against what no per-attempt metrics could beat.

const TYPES = 8;
const CHILD_FLAG = '--middleware-bench-child';

type HandlerKind = 'noop' | 'light';
type Setup = 'bare' | 'prometheus' | 'empty-observer' | 'timed-observer' | 'otel-recording' | 'otel-no-provider' | 'both';

interface Comparison {
  metric: string;
  setup: Setup;
  handler: HandlerKind;
  minRatio?: number;
}

const COMPARISONS: Comparison[] = [
  { metric: 'PrometheusEventTracker middleware, no-op handler', setup: 'prometheus', handler: 'noop', minRatio: 0.7 },
  { metric: 'PrometheusEventTracker middleware, light handler (JSON.stringify)', setup: 'prometheus', handler: 'light', minRatio: 0.7 },
  { metric: 'reference: empty onOutcome observer (core cost), no-op handler', setup: 'empty-observer', handler: 'noop' },
  {
    metric: 'reference: observer reading the timed outcome (floor of per-attempt timing), no-op handler',
    setup: 'timed-observer',
    handler: 'noop',
  },
  { metric: 'openTelemetryMiddleware, recording spans (export excluded), no-op handler', setup: 'otel-recording', handler: 'noop' },
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

function middlewareFor(setup: Setup): EventBusMiddleware[] {
  const recording = () => openTelemetryMiddleware({ tracerProvider: new BasicTracerProvider({ spanProcessors: [new DiscardingSpanProcessor()] }) });
  switch (setup) {
    case 'bare':
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
async function runOnce(middleware: EventBusMiddleware[], handler: HandlerKind, events: BaseEvent[], count: number): Promise<number> {
  const bus = new InMemoryEventBus({ middleware });
  let handled = 0;
  let bytes = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  await bus.subscribe('bench.#', (event) => {
    if (handler === 'light') bytes += JSON.stringify(event).length;
    if (++handled === count) done();
  });
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) await bus.publish(events[i % TYPES]!);
  await finished;
  const used = process.cpuUsage(cpu);
  await bus.close();
  if (handler === 'light' && bytes === 0) throw new Error('the light handler did no work');
  return count / ((used.user + used.system) / 1e6);
}

async function child(setup: Setup, handler: HandlerKind, count: number, runs: number): Promise<void> {
  const events = makeEvents();
  const middleware = middlewareFor(setup);
  await runOnce(middleware, handler, events, Math.ceil(count / 4)); // warm-up
  let best = 0;
  for (let i = 0; i < runs; i++) best = Math.max(best, await runOnce(middleware, handler, events, count));
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
    let bare = 0;
    let withMiddleware = 0;
    for (let r = 0; r < rounds; r++) {
      bare = Math.max(bare, await measure('bare', c.handler, count, runs));
      withMiddleware = Math.max(withMiddleware, await measure(c.setup, c.handler, count, runs));
    }
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    ctx.log(`${c.metric}: ${fmt(withMiddleware)} vs bare ${fmt(bare)} events/CPU-s (${(withMiddleware / bare).toFixed(2)})`);
    results.push(
      result({
        scenario: 'middleware',
        metric: c.metric,
        herald: withMiddleware,
        baseline: bare,
        baselineName: 'same bus, no middleware',
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
