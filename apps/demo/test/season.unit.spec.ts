import { describe, expect, it } from 'vitest';
import { formatSummary } from '../src/cli/summary.js';
import { EventTypes } from '../src/domain/events.js';
import { POISON_REASON, runSeason, seasonScript } from '../src/season.js';
import { startTestApp, stopTestApp } from './support.js';

describe('season script', () => {
  it('is deterministic for a seed and holds exactly one poison command', () => {
    const a = seasonScript(40, 300, 99);
    const b = seasonScript(40, 300, 99);
    expect(a.map((c) => [c.type, c.payload])).toEqual(b.map((c) => [c.type, c.payload]));
    expect(a.filter((c) => (c.payload as { reason?: string }).reason === POISON_REASON)).toHaveLength(1);
    expect(new Set(a.map((c) => c.payload.playerId)).size).toBeGreaterThan(20);
  });
});

describe('a small season on memory/memory', () => {
  it('adds up: commands, stored events, deliveries, leaderboard, retries and the one dead letter', async () => {
    // Given the app on the in-memory transport and store, with a notifier failing 20% of first attempts
    const app = await startTestApp('season', { NOTIFIER_FAILURE_RATE: '0.2' });
    try {
      // When a season of 60 players and 600 commands runs
      const phases: string[] = [];
      const s = await runSeason(app, { players: 60, commands: 600, seed: 5, onProgress: (p) => phases.push(p.phase) });

      // Then every consistency check passes
      expect(s.checks.filter((c) => !c.ok)).toEqual([]);
      expect(s.ok).toBe(true);
      expect(phases.at(-1)).toBe('done');

      // And the numbers agree with each other
      const { awards, redemptions } = s.commands;
      expect(awards.accepted + awards.rejected + redemptions.accepted + redemptions.rejected).toBe(600);
      expect(awards.rejected).toBe(0);
      expect(redemptions.rejected).toBeGreaterThan(0);
      expect(s.events.byType[EventTypes.PointsAwarded]).toBe(awards.accepted);
      expect(s.events.byType[EventTypes.PointsRedeemed]).toBe(redemptions.accepted);
      // every grant was a new badge; the rest are last season's legacy (v1) badges
      expect(s.events.byType[EventTypes.BadgeEarned]).toBe(s.commands.badgeGrants + s.eventSourcing.badges.legacy);
      expect(s.events.byType[EventTypes.LevelUpAnnounced]).toBe(s.events.byType[EventTypes.LevelReached]);
      expect(s.events.byType[EventTypes.HandlerFailed]).toBe(1); // the poison, announced as a system event
      const domain = [EventTypes.PointsAwarded, EventTypes.PointsRedeemed, EventTypes.LevelReached, EventTypes.BadgeEarned];
      expect(domain.reduce((n, t) => n + (s.events.byType[t] ?? 0), 0)).toBe(s.events.stored);
      expect(s.events.relayed).toBe(s.events.stored);
      const total = Object.values(s.events.byType).reduce((n, c) => n + c, 0);
      expect(total).toBe(s.events.delivered);

      // Retries: the notifier's failed first attempts, plus the poison's attempts before it gave up
      const maxAttempts = app.config.events.retry.maxAttempts;
      expect(s.notifier.failedFirstAttempts).toBeGreaterThan(0);
      expect(s.retries).toBe(s.notifier.failedFirstAttempts + (maxAttempts - 1));
      expect(s.handlers.find((h) => h.name === 'notifier')?.retries).toBe(s.notifier.failedFirstAttempts);

      // One dead letter: the poison award, given up by the audit trail after every attempt
      expect(s.deadLetters).toHaveLength(1);
      expect(s.deadLetters[0]).toMatchObject({
        eventType: EventTypes.PointsAwarded,
        handler: 'audit-trail',
        attempts: maxAttempts,
        error: { name: 'AuditWriteError' },
      });

      // The event-sourcing part: the rebuild equals the live leaderboard, legacy badges read as v2, snapshots used
      expect(s.eventSourcing.rebuild).toMatchObject({ equalsLive: true, events: s.events.stored });
      expect(s.eventSourcing.badges.v2).toBe(s.eventSourcing.badges.read);
      expect(s.eventSourcing.snapshots.fromSnapshot).toBeGreaterThan(0);
      expect(s.eventSourcing.snapshots.equal).toBe(true);

      // The leaderboard is sorted and its top is the summary's top 5
      expect(s.leaderboard).toHaveLength(5);
      const points = s.leaderboard.map((e) => e.lifetimePoints);
      expect(points).toEqual([...points].sort((x, y) => y - x));
      expect(s.latencyMs.count).toBe(s.events.delivered);
      expect(s.latencyMs.p50).toBeLessThanOrEqual(s.latencyMs.p99);

      // And the printed summary shows each part
      const text = formatSummary(s);
      for (const heading of ['Events by type', 'Leaderboard — top 5', 'p50', 'p99', 'Retries:', 'Dead letters: 1', 'checks pass ✓']) {
        expect(text).toContain(heading);
      }
      expect(text).not.toContain('\u0000'); // the poison's NUL byte is printed escaped
    } finally {
      await stopTestApp(app);
    }
  });
});
