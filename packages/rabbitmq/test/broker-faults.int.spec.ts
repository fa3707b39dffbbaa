import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BaseEvent, ConnectionState } from '@herald/core';
import { describeEventBusConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RabbitMQEventBus } from '../src/index.js';
import { BusFactory, event, rabbitmqctl, until } from './helpers.js';

// Whole-broker faults: `rabbitmqctl close_all_connections` and `stop_app`/`start_app`.
// They disrupt every client of the broker, so they live in this one file (the
// package runs its test files one at a time) and the broker is checked after.
const exec = promisify(execFile);
const buses = new BusFactory();
afterEach(() => buses.cleanup(), 60_000);
afterAll(async () => {
  await ensureBrokerUp();
}, 180_000);

async function ensureBrokerUp(): Promise<void> {
  await exec('bash', [new URL('../../../tooling/scripts/services.sh', import.meta.url).pathname], { timeout: 170_000 });
}

interface Outcome {
  id: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/**
 * Publishes `events` at `perSecond` (so the stream lasts long enough for the
 * faults to land in the middle of it), with at most `inFlight` publishes
 * outstanding; records each outcome and how long it took. With
 * `retryRejected` the caller publishes a rejected event again, as an outbox would.
 */
async function publishAll(
  bus: RabbitMQEventBus,
  events: BaseEvent[],
  options: { inFlight: number; perSecond: number; retryRejected?: boolean },
  onProgress: (done: number) => Promise<void> | void,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  let done = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= events.length) return;
      const slot = started + (i * 1000) / options.perSecond - performance.now();
      if (slot > 0) await new Promise((r) => setTimeout(r, slot));
      const e = events[i]!;
      for (;;) {
        const t0 = performance.now();
        try {
          await bus.publish(e);
          outcomes.push({ id: e.id, ok: true, ms: performance.now() - t0 });
          break;
        } catch (error) {
          outcomes.push({ id: e.id, ok: false, ms: performance.now() - t0, error: (error as Error).message });
          if (!options.retryRejected) break;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      done++;
      await onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, worker));
  return outcomes;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

describe('RabbitMQEventBus: broker faults', () => {
  it(
    'loses no confirmed event when every connection is closed three times while 3,000 events flow to a group',
    async () => {
      // Given a publisher bus and two members of a durable group on other buses
      const publishTimeoutMs = 5_000;
      const prefix = `t.faults.${process.pid}.${Date.now().toString(36)}.`;
      const publisher = buses.create('faults', { prefix, publishTimeoutMs, connectionName: `herald-fault:${prefix}pub` });
      const members = [0, 1].map((i) => buses.create('faults', { prefix, connectionName: `herald-fault:${prefix}m${i}` }));
      const handled = new Map<string, number>();
      for (const m of members) {
        await m.subscribe(
          'faults.#',
          (e) => {
            handled.set(e.id, (handled.get(e.id) ?? 0) + 1);
          },
          { group: 'workers', concurrency: 4 },
        );
      }
      const states: ConnectionState[] = [];
      publisher.on('connection', (c) => states.push(c.state));
      await publisher.connect();

      // When 3,000 events are published (1,000/s, up to 100 in flight) and all connections are closed at 25%, 50% and 75%
      const total = 3_000;
      const events = Array.from({ length: total }, (_, i) => event('faults.item', { i }));
      const killAt = new Set([750, 1_500, 2_250]);
      let kills = 0;
      const outcomes = await publishAll(publisher, events, { inFlight: 100, perSecond: 1_000 }, async (done) => {
        if (!killAt.has(done)) return;
        // Each kill must find the publisher connected (not still reconnecting from the last one),
        // so that every kill is one reconnect to count.
        await until(() => states.at(-1) === 'connected', 'the publisher to be connected before a kill', 30_000);
        await rabbitmqctl('close_all_connections', 'herald fault test');
        kills++;
      });

      // Then every publish settled; every one that resolved is handled at least once
      const resolved = outcomes.filter((o) => o.ok);
      const rejected = outcomes.filter((o) => !o.ok);
      await until(() => resolved.every((o) => handled.has(o.id)), 'every confirmed event to be handled', 60_000);
      const duplicates = [...handled.values()].reduce((n, c) => n + (c - 1), 0);
      const report = {
        published: total,
        resolved: resolved.length,
        rejected: rejected.length,
        rejectMsMax: Math.round(Math.max(0, ...rejected.map((o) => o.ms))),
        rejectMsP50: Math.round(percentile(rejected.map((o) => o.ms), 50)),
        resolveMsMax: Math.round(Math.max(0, ...resolved.map((o) => o.ms))),
        resolveMsP99: Math.round(percentile(resolved.map((o) => o.ms), 99)),
        lost: resolved.filter((o) => !handled.has(o.id)).length,
        handledDistinct: handled.size,
        duplicates,
        rejectedButDelivered: rejected.filter((o) => handled.has(o.id)).length,
        kills,
        reconnects: states.filter((s) => s === 'reconnecting').length,
        rejectReasons: [...new Set(rejected.map((o) => o.error))].slice(0, 3),
      };
      console.log('[broker-faults] close_all_connections ×3:', JSON.stringify(report));
      expect(report.lost).toBe(0);
      expect(kills).toBe(3);
      expect(report.reconnects).toBeGreaterThanOrEqual(3);
      // And publishes that were rejected were rejected promptly (within the publish timeout plus scheduling slack)
      expect(report.rejectMsMax).toBeLessThanOrEqual(publishTimeoutMs + 1_000);
    },
    180_000,
  );

  it(
    'loses nothing across a broker stop_app/start_app with a durable group',
    async () => {
      // Given a publisher and a durable group member
      const prefix = `t.restart.${process.pid}.${Date.now().toString(36)}.`;
      const publisher = buses.create('restart', { prefix, publishTimeoutMs: 5_000, reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 } });
      const member = buses.create('restart', { prefix, reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 } });
      const handled = new Map<string, number>();
      await member.subscribe(
        'restart.#',
        (e) => {
          handled.set(e.id, (handled.get(e.id) ?? 0) + 1);
        },
        { group: 'durable' },
      );
      await publisher.connect();

      // When 2,000 events are published (250/s, up to 20 in flight, each retried by the caller until
      // confirmed) and the broker application is stopped for ~6 s after the first 500
      const total = 2_000;
      const events = Array.from({ length: total }, (_, i) => event('restart.item', { i }));
      let restart: Promise<void> | undefined;
      const t0 = Date.now();
      let downMs = 0;
      const outcomes = await publishAll(
        publisher,
        events,
        { inFlight: 20, perSecond: 250, retryRejected: true },
        (done) => {
          if (done === 500) {
            restart = (async () => {
              const down = Date.now();
              await rabbitmqctl('stop_app');
              await new Promise((r) => setTimeout(r, 6_000));
              await rabbitmqctl('start_app');
              await rabbitmqctl('await_startup');
              downMs = Date.now() - down;
            })();
          }
        },
      );
      await restart;

      // Then every event is handled at least once
      await until(() => events.every((e) => handled.has(e.id)), 'every event to be handled after the restart', 90_000);
      const rejected = outcomes.filter((o) => !o.ok);
      const duplicates = [...handled.values()].reduce((n, c) => n + (c - 1), 0);
      const report = {
        published: total,
        lost: events.filter((e) => !handled.has(e.id)).length,
        rejectReasons: [...new Set(rejected.map((o) => o.error))].slice(0, 3),
        duplicates,
        rejectedAttempts: rejected.length,
        rejectMsMax: Math.round(Math.max(0, ...rejected.map((o) => o.ms))),
        brokerDownMs: downMs,
        totalMs: Date.now() - t0,
      };
      console.log('[broker-faults] stop_app/start_app:', JSON.stringify(report));
      expect(report.lost).toBe(0);
      expect(rejected.length, 'the outage should outlast the publish timeout').toBeGreaterThan(0);
      expect(report.rejectMsMax).toBeLessThanOrEqual(6_000);
    },
    240_000,
  );
});

// The shared suite's fault cases with the whole-broker faults (its other cases run in
// conformance.int.spec.ts).
const conformanceBuses = new BusFactory();
afterAll(() => conformanceBuses.cleanup(), 120_000);
describeEventBusConformance(vitestRunner, {
  name: 'RabbitMQEventBus (whole-broker faults)',
  create: () => conformanceBuses.create('conffault', { reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 } }),
  only: ['faults'],
  faults: {
    killConnections: async () => {
      await rabbitmqctl('close_all_connections', 'herald conformance fault');
    },
    restartServer: async () => {
      await rabbitmqctl('stop_app');
      await rabbitmqctl('start_app');
      await rabbitmqctl('await_startup');
    },
  },
  timeoutMs: 20_000,
});
