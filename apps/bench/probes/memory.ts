/**
 * Probe (not a benchmark): memory of a bus under a slow subscriber and under a
 * publisher that does not await, and the duration of close() with a backlog.
 *
 *   node --expose-gc --import tsx probes/memory.ts <mode> [seconds] [module]
 *
 * modes:
 *   redis-publish     50 ms subscriber, publisher awaiting each publish() flat out
 *   redis-publishAll  50 ms subscriber, publisher awaiting publishAll() of 1,000 flat out
 *   redis-unawaited   50 ms subscriber, publisher firing publish() without awaiting
 *   rabbit-unawaited  publisher firing publish() without awaiting (no subscriber)
 *   redis-close       50 ms subscriber, publishAll flat out for `seconds`, then close() with closeTimeoutMs 2,000
 *
 * `module` is the transport package to load (default the workspace's), so the
 * same probe runs against an older build. Prints heap and RSS every 2 s.
 */
import { createDomainEvent, type BaseEvent, type Logger } from '@herald/core';

const mode = process.argv[2] ?? 'redis-publish';
const seconds = Number(process.argv[3] ?? 20);
const from = process.argv[4];

const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
const event = (i: number): BaseEvent =>
  createDomainEvent({
    type: 'probe.memory',
    aggregateId: `player-${i % 100}`,
    aggregateType: 'Player',
    data: { points: i, reason: 'probe', note: 'x'.repeat(200) },
    metadata: { source: 'memory-probe', environment: 'bench' },
  });

/** Counts log lines by level; prints nothing. */
class CountingLogger implements Logger {
  lines = 0;
  debug(): void {}
  info(): void {}
  warn(): void {
    this.lines++;
  }
  error(): void {
    this.lines++;
  }
}

const counters = { started: 0, published: 0, rejected: 0, handled: 0 };
/** With `node --expose-gc`, samples what is retained rather than what the collector has not got to yet. */
const gc = (globalThis as { gc?: () => void }).gc;
const started = performance.now();
const samples: string[] = [];
function sample(): void {
  gc?.();
  const m = process.memoryUsage();
  const t = ((performance.now() - started) / 1000).toFixed(0);
  const line = `t=${t}s heap=${mb(m.heapUsed)}MB rss=${mb(m.rss)}MB started=${counters.started} published=${counters.published} handled=${counters.handled} rejected=${counters.rejected}`;
  samples.push(line);
  console.log(line);
}
const sampler = setInterval(sample, 2_000);
let running = true;
setTimeout(() => {
  running = false;
}, seconds * 1_000);
/** Fires publishes without awaiting them, 1,000 per turn of the event loop, until time is up. */
async function fireUnawaited(publish: (e: BaseEvent) => Promise<void>): Promise<void> {
  let i = 0;
  while (running) {
    for (let k = 0; k < 1_000; k++) {
      counters.started++;
      publish(event(i++)).then(
        () => counters.published++,
        () => counters.rejected++,
      );
    }
    await new Promise((r) => setImmediate(r));
  }
}

const slow = async () => {
  await new Promise((r) => setTimeout(r, 50));
  counters.handled++;
};

if (mode.startsWith('redis')) {
  const { RedisPubSubEventBus } = (await import(from ?? '@herald/redis-pubsub')) as typeof import('@herald/redis-pubsub');
  const logger = new CountingLogger();
  const prefix = `herald-probe:memory:${process.pid}:`;
  const bus = new RedisPubSubEventBus({ redis: 'redis://127.0.0.1:6379', prefix, logger, closeTimeoutMs: 2_000 });
  await bus.subscribe('probe.#', slow);
  let i = 0;
  if (mode === 'redis-publish') {
    while (running) {
      counters.started++;
      await bus.publish(event(i++)).then(
        () => counters.published++,
        () => counters.rejected++,
      );
    }
  } else if (mode === 'redis-unawaited') {
    await fireUnawaited((e) => bus.publish(e));
  } else {
    while (running) {
      const batch = Array.from({ length: 1_000 }, () => event(i++));
      counters.started += batch.length;
      const ok = await bus.publishAll(batch).then(
        () => true,
        () => false,
      );
      if (ok) counters.published += batch.length;
      else counters.rejected += batch.length;
    }
  }
  sample();
  if (mode === 'redis-close') {
    const t0 = performance.now();
    const linesBefore = logger.lines;
    await bus.close();
    // deadLettersLostOnClose: buffered events close() could not dead-letter by closeTimeoutMs (absent on older builds).
    const lost = (bus as { deadLettersLostOnClose?: number }).deadLettersLostOnClose;
    console.log(
      `close() took ${((performance.now() - t0) / 1000).toFixed(2)} s, ${logger.lines - linesBefore} warn/error log lines, lost on close: ${lost ?? 'n/a'}`,
    );
  }
  await bus.deadLetters.purge().catch(() => undefined);
  console.log(`log lines (warn/error): ${logger.lines}`);
} else {
  const { RabbitMQEventBus } = (await import(from ?? '@herald/rabbitmq')) as typeof import('@herald/rabbitmq');
  const prefix = `herald-probe-memory-${process.pid}.`;
  const bus = new RabbitMQEventBus({ url: 'amqp://guest:guest@127.0.0.1:5672', prefix, connectionName: `herald-probe:${prefix}` });
  await bus.connect();
  await fireUnawaited((e) => bus.publish(e));
  sample();
}
clearInterval(sampler);
process.exit(0);
