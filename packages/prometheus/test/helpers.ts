import { createIntegrationEvent, type BaseEvent, type RetryStrategy } from '@herald/core';
import type { Registry } from 'prom-client';

export function makeEvent(type = 'test.thing.happened', overrides: Partial<BaseEvent> = {}): BaseEvent {
  return {
    ...createIntegrationEvent({
      type,
      service: 'test',
      action: 'happened',
      payload: { n: 1 },
      metadata: { source: 'prometheus-test', environment: 'test' },
    }),
    ...overrides,
  };
}

export const fastRetry = (maxAttempts: number, deadLetter = true): RetryStrategy => ({
  maxAttempts,
  backoff: { type: 'fixed', delay: 1 },
  deadLetter: { enabled: deadLetter },
});

/** Polls `condition` until it holds; fails with `message` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, message: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${message}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The value of one series (matched on every given label) from the registry, or undefined. */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string | number> = {},
  metricName = name,
): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === metricName &&
      Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === String(want)),
  );
  return value?.value;
}

/** A deterministic PRNG in [0, 1) (mulberry32), so distribution tests never flake. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A clock the test moves by hand. */
export function fakeClock(startMs = Date.UTC(2025, 0, 1)): { now: () => number; set(ms: number): void; advance(ms: number): void } {
  let t = startMs;
  return {
    now: () => t,
    set(ms) {
      t = ms;
    },
    advance(ms) {
      t += ms;
    },
  };
}
