import type {
  BaseEvent,
  EventBus,
  EventBusMiddleware,
  HandleOutcome,
  Subscription,
} from '@herald/core';
import { percentiles } from '@herald/prometheus/stats';
import { LatencySamples } from './stats.js';

/** One event as the dashboard's live flow shows it: identity and routing, never the payload. */
export interface FlowEvent {
  id: string;
  type: string;
  kind: 'domain' | 'integration' | 'system';
  aggregateId?: string;
  version: number;
  correlationId: string;
  causationId?: string;
  /** Milliseconds from the event's creation to its delivery to the monitor. */
  latencyMs: number;
  at: number;
}

/** A handler attempt that did not succeed. */
export interface FlowFailure {
  handler: string;
  status: 'retrying' | 'dead_lettered' | 'failed';
  eventId: string;
  eventType: string;
  attempt: number;
  maxAttempts: number;
  error: string;
  at: number;
}

export interface HandlerStats {
  name: string;
  pattern: string;
  handled: number;
  filtered: number;
  retries: number;
  deadLettered: number;
  failed: number;
  avgMs: number;
}

export interface ThroughputPoint {
  /** Start of the second, epoch ms. */
  t: number;
  events: number;
  failures: number;
  p50: number;
  p99: number;
}

export interface FlowSnapshot {
  uptimeMs: number;
  published: number;
  delivered: number;
  byType: Record<string, number>;
  latencyMs: { count: number; avg: number; p50: number; p90: number; p99: number; max: number };
  attempts: number;
  retries: number;
  deadLettered: number;
  failed: number;
  /** Failed attempts (retried, dead-lettered or dropped) per attempt. */
  failureRate: number;
  throughput: ThroughputPoint[];
  handlers: HandlerStats[];
}

export type FlowNotice = { kind: 'event'; event: FlowEvent } | { kind: 'failure'; failure: FlowFailure };

interface Bucket {
  events: number;
  failures: number;
  latencies: number[];
}

const SERIES_SECONDS = 120;
const BUCKET_SAMPLES = 2_000;
/** How many of the latest events and failures a dashboard that opens late is shown first. */
export const RECENT_ITEMS = 50;

/**
 * Watches the bus from the inside: as middleware it counts publishes, attempts,
 * retries and dead letters per handler; as a `#` subscriber (the tap) it sees
 * every event once and measures end-to-end latency. Feeds the season summary,
 * the dashboard and the "is everything settled" check.
 */
export class FlowMonitor {
  readonly middleware: EventBusMiddleware;
  private readonly startedAt: number;
  private readonly latency = new LatencySamples(50_000);
  private readonly byType = new Map<string, number>();
  private readonly buckets = new Map<number, Bucket>();
  private readonly handlers = new Map<string, HandlerStats & { totalMs: number }>();
  private readonly names = new Map<string, string>();
  private readonly awaitingRetry = new Map<string, number>();
  /** `eventId|pattern` → handler name, for the dead letters this process made. */
  private readonly deadLetterHandlers = new Map<string, string>();
  private readonly listeners = new Set<(notice: FlowNotice) => void>();
  private readonly recentEvents: FlowEvent[] = [];
  private readonly recentFailures: FlowFailure[] = [];
  private published = 0;
  private delivered = 0;
  private attempts = 0;
  private retries = 0;
  private deadLettered = 0;
  private failed = 0;
  private inFlight = 0;
  private lastActivity: number;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
    this.lastActivity = this.startedAt;
    this.middleware = {
      name: 'gamifier-flow-monitor',
      publish: async (event, next) => {
        this.touch();
        await next(event);
        this.published++;
      },
      handle: async (_event, _ctx, next) => {
        this.inFlight++;
        this.touch();
        try {
          await next();
        } finally {
          this.inFlight--;
          this.touch();
        }
      },
      onOutcome: (event, outcome) => this.observe(event, outcome),
    };
  }

  /** Gives a subscription a readable name for the per-handler table. */
  name(subscription: Subscription, name: string): Subscription {
    this.names.set(subscription.id, name);
    return subscription;
  }

  /** Subscribes the tap that sees every event once. */
  async tap(bus: EventBus): Promise<Subscription> {
    const subscription = await bus.subscribe('#', (event: BaseEvent) => this.see(event), { concurrency: 1 });
    return this.name(subscription, 'monitor');
  }

  /** The handler that dead-lettered an event on a pattern (several handlers may share a pattern). */
  deadLetteredBy(eventId: string, pattern: string): string | undefined {
    return this.deadLetterHandlers.get(`${eventId}|${pattern}`);
  }

  /** Listens to live events and failures; returns the unsubscribe function. */
  on(listener: (notice: FlowNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What is still moving: handlers running, events waiting for a retry, and when anything last happened. Cheap. */
  get activity(): { inFlight: number; awaitingRetry: number; idleMs: number; published: number; delivered: number } {
    return {
      inFlight: this.inFlight,
      awaitingRetry: this.awaitingRetry.size,
      idleMs: this.now() - this.lastActivity,
      published: this.published,
      delivered: this.delivered,
    };
  }

  /** The latest events and failures, oldest first, so a dashboard opened late starts with what just happened. */
  recent(): { events: FlowEvent[]; failures: FlowFailure[] } {
    return { events: this.recentEvents.slice(), failures: this.recentFailures.slice() };
  }

  snapshot(): FlowSnapshot {
    const now = this.now();
    const nowSecond = Math.floor(now / 1000) * 1000;
    const throughput: ThroughputPoint[] = [];
    for (let t = nowSecond - (SERIES_SECONDS - 1) * 1000; t <= nowSecond; t += 1000) {
      const b = this.buckets.get(t);
      if (!b) {
        throughput.push({ t, events: 0, failures: 0, p50: 0, p99: 0 });
        continue;
      }
      const [p50, p99] = percentiles(b.latencies, [0.5, 0.99]) as [number, number];
      throughput.push({ t, events: b.events, failures: b.failures, p50, p99 });
    }
    const failedAttempts = this.retries + this.deadLettered + this.failed;
    return {
      uptimeMs: now - this.startedAt,
      published: this.published,
      delivered: this.delivered,
      byType: Object.fromEntries([...this.byType.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
      latencyMs: this.latency.summary(),
      attempts: this.attempts,
      retries: this.retries,
      deadLettered: this.deadLettered,
      failed: this.failed,
      failureRate: this.attempts === 0 ? 0 : failedAttempts / this.attempts,
      throughput,
      handlers: [...this.handlers.values()]
        .map(({ totalMs, ...h }) => ({ ...h, avgMs: h.handled === 0 ? 0 : totalMs / h.handled }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    };
  }

  private see(event: BaseEvent): void {
    const now = this.now();
    const latencyMs = Math.max(0, now - event.timestamp.getTime());
    this.delivered++;
    this.byType.set(event.type, (this.byType.get(event.type) ?? 0) + 1);
    this.latency.add(now, latencyMs);
    const bucket = this.bucket(now);
    bucket.events++;
    if (bucket.latencies.length < BUCKET_SAMPLES) bucket.latencies.push(latencyMs);
    const e = event as BaseEvent & { aggregateId?: unknown; service?: unknown; level?: unknown };
    const flow: FlowEvent = {
      id: event.id,
      type: event.type,
      kind: typeof e.aggregateId === 'string' ? 'domain' : typeof e.service === 'string' ? 'integration' : 'system',
      version: event.version,
      correlationId: event.metadata.correlationId,
      latencyMs,
      at: now,
    };
    if (typeof e.aggregateId === 'string') flow.aggregateId = e.aggregateId;
    if (event.metadata.causationId !== undefined) flow.causationId = event.metadata.causationId;
    keepRecent(this.recentEvents, flow);
    if (this.listeners.size > 0) this.emit({ kind: 'event', event: flow });
  }

  private observe(event: BaseEvent, outcome: HandleOutcome): void {
    this.touch();
    const { subscription } = outcome;
    const name = this.names.get(subscription.id) ?? subscription.pattern;
    let stats = this.handlers.get(subscription.id);
    if (!stats) {
      stats = { name, pattern: subscription.pattern, handled: 0, filtered: 0, retries: 0, deadLettered: 0, failed: 0, avgMs: 0, totalMs: 0 };
      this.handlers.set(subscription.id, stats);
    } else {
      stats.name = name;
    }
    const key = `${subscription.id}|${event.id}`;
    this.awaitingRetry.delete(key);
    if (outcome.status === 'filtered') {
      stats.filtered++;
      return;
    }
    this.attempts++;
    switch (outcome.status) {
      case 'success':
        stats.handled++;
        stats.totalMs += outcome.durationMs;
        return;
      case 'retrying':
        stats.retries++;
        this.retries++;
        this.awaitingRetry.set(key, outcome.attempt);
        break;
      case 'dead_lettered':
        stats.deadLettered++;
        this.deadLettered++;
        this.deadLetterHandlers.set(`${event.id}|${subscription.pattern}`, name);
        if (this.deadLetterHandlers.size > 10_000) {
          this.deadLetterHandlers.delete(this.deadLetterHandlers.keys().next().value!);
        }
        break;
      case 'failed':
        stats.failed++;
        this.failed++;
        break;
    }
    this.bucket(this.now()).failures++;
    const failure: FlowFailure = {
      handler: name,
      status: outcome.status,
      eventId: event.id,
      eventType: event.type,
      attempt: outcome.attempt,
      maxAttempts: outcome.maxAttempts,
      error: outcome.error ? `${outcome.error.name}: ${outcome.error.message}` : 'unknown error',
      at: this.now(),
    };
    keepRecent(this.recentFailures, failure);
    if (this.listeners.size > 0) this.emit({ kind: 'failure', failure });
  }

  private bucket(now: number): Bucket {
    const t = Math.floor(now / 1000) * 1000;
    let b = this.buckets.get(t);
    if (!b) {
      b = { events: 0, failures: 0, latencies: [] };
      this.buckets.set(t, b);
      for (const key of this.buckets.keys()) {
        if (key < t - SERIES_SECONDS * 1000) this.buckets.delete(key);
        else break;
      }
    }
    return b;
  }

  private touch(): void {
    this.lastActivity = this.now();
  }

  private emit(notice: FlowNotice): void {
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch {
        // A slow or broken listener (a closed SSE client) must not disturb the bus.
      }
    }
  }
}

function keepRecent<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > RECENT_ITEMS) list.shift();
}
