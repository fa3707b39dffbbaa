import { describe, expect, it } from 'vitest';
import { EventTypes } from '../src/domain/events.js';
import { runSeason } from '../src/season.js';
import { startTestApp, stopTestApp } from './support.js';

/**
 * The same season on the server transports and store: real Redis and RabbitMQ
 * (started by tooling/scripts/services.sh), never mocks. Each test runs in a
 * namespace of its own (`gamifier-test-<transport>-<random>`), so it starts
 * with no dead letters or queues from another run, and everything it declared
 * (exchanges, queues, Redis keys) is deleted afterwards.
 */
const setups = [
  { transport: 'redis-pubsub', store: 'redis' },
  { transport: 'redis-streams', store: 'redis' },
  { transport: 'rabbitmq', store: 'memory' },
  { transport: 'rabbitmq', store: 'redis' },
  { transport: 'memory', store: 'redis' },
] as const;

describe.each(setups)('season on $transport transport, $store store', ({ transport, store }) => {
  it('adds up, with retries and exactly one dead letter', async () => {
    // Given the app on real servers, in its own namespace
    const app = await startTestApp(transport, { EVENT_BUS_TRANSPORT: transport, EVENT_STORE: store, NOTIFIER_FAILURE_RATE: '0.2' });
    try {
      // When a small season runs
      const s = await runSeason(app, { players: 40, commands: 400, seed: 11, settleTimeoutMs: 60_000 });
      // Then its numbers are consistent, as on the in-memory transport
      expect(s.checks.filter((c) => !c.ok)).toEqual([]);
      expect(s).toMatchObject({ transport, store });
      expect(s.events.stored).toBeGreaterThan(400);
      expect(s.events.byType[EventTypes.PointsAwarded]).toBe(s.commands.awards.accepted);
      expect(s.retries).toBeGreaterThan(0);
      expect(s.deadLetters).toHaveLength(1);
      expect(s.deadLetters[0]).toMatchObject({ handler: 'audit-trail', error: { name: 'AuditWriteError' } });
    } finally {
      await stopTestApp(app);
    }
  });
});
