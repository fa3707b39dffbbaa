import { createIntegrationEvent, type BaseEvent } from '@herald/core';
import type { Registry } from 'prom-client';
import { eventMaker, fastRetry } from '../../../tooling/test-support/events.js';
import { seededRandom } from '../../../tooling/test-support/random.js';
import { until } from '../../../tooling/test-support/wait.js';

export const makeEvent = eventMaker<BaseEvent>(createIntegrationEvent, 'prometheus-test');

export { fastRetry, seededRandom, until as waitUntil };

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
