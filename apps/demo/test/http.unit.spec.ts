import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gamifier } from '../src/app.js';
import { EventTypes } from '../src/domain/events.js';
import { createLogger } from '../src/infrastructure/logger.js';
import { startHttpServer, type RunningServer } from '../src/http/server.js';
import { POISON_REASON } from '../src/season.js';
import { startTestApp, stopTestApp } from './support.js';

describe('HTTP API', () => {
  let app: Gamifier;
  let server: RunningServer;

  beforeAll(async () => {
    app = await startTestApp('http', { NOTIFIER_FAILURE_RATE: '0' });
    server = await startHttpServer(app, { port: 0, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await server?.close();
    await stopTestApp(app);
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, text, json: type.startsWith('application/json') ? JSON.parse(text) : undefined };
  };

  it('awards points, redeems them and shows the player with its history', async () => {
    // When a player is awarded 150 points and redeems 40
    const award = await call('POST', '/api/players/http-ada/points', { points: 150, reason: 'welcome' });
    expect(award.status).toBe(200);
    expect(award.json.player).toMatchObject({ id: 'http-ada', points: 150, level: 2 });
    expect(award.json.events.map((e: { type: string }) => e.type)).toEqual([EventTypes.PointsAwarded, EventTypes.LevelReached]);
    const redeem = await call('POST', '/api/players/http-ada/redeem', { points: 40, reward: 'coffee voucher' });
    expect(redeem.status).toBe(200);
    expect(redeem.json.player.points).toBe(110);

    // Then GET shows the state and every event, and once the bus has delivered them, the rank
    await app.settle(10_000);
    const read = await call('GET', '/api/players/http-ada');
    expect(read.status).toBe(200);
    expect(read.json.player).toMatchObject({ points: 110, lifetimePoints: 150, level: 2, badges: ['first-reward', 'rookie'] });
    // (the policy's rookie badge may land before or after the redemption)
    expect(read.json.history.map((e: { type: string }) => e.type).sort()).toEqual(
      [EventTypes.PointsAwarded, EventTypes.LevelReached, EventTypes.PointsRedeemed, EventTypes.BadgeEarned, EventTypes.BadgeEarned].sort(),
    );
    expect(read.json.history.map((e: { version: number }) => e.version)).toEqual([1, 2, 3, 4, 5]);
    expect(read.json.history[0]).toMatchObject({ version: 1, aggregateId: 'http-ada', metadata: { userId: 'http' } });
    expect(read.json.rank).toBe(1);

    // And the leaderboard lists the player
    const board = await call('GET', '/api/leaderboard?limit=5');
    expect(board.json.entries[0]).toMatchObject({ rank: 1, playerId: 'http-ada', lifetimePoints: 150, points: 110 });
  });

  it.each([
    { method: 'POST', path: '/api/players/p1/points', body: { points: -1, reason: 'x' }, status: 400, field: 'points' },
    { method: 'POST', path: '/api/players/p1/points', body: { points: '10', reason: 'x' }, status: 400, field: 'points' },
    { method: 'POST', path: '/api/players/p1/points', body: { points: 10 }, status: 400, field: 'reason' },
    { method: 'POST', path: '/api/players/p1/points', body: '{not json', status: 400, field: 'body' },
    { method: 'POST', path: '/api/players/p1/points', body: [1, 2], status: 400, field: 'body' },
    { method: 'POST', path: '/api/players/bad%20id!/points', body: { points: 10, reason: 'x' }, status: 400, field: 'id' },
    { method: 'POST', path: '/api/players/p1/redeem', body: { points: 10 }, status: 400, field: 'reward' },
    { method: 'POST', path: '/api/players/nobody/redeem', body: { points: 10, reward: 'x' }, status: 422, field: 'points' },
    { method: 'GET', path: '/api/players/nobody', body: undefined, status: 404, field: 'id' },
    { method: 'GET', path: '/api/players/bad%20id!', body: undefined, status: 400, field: 'id' },
    { method: 'GET', path: '/api/leaderboard?limit=1000', body: undefined, status: 400, field: 'limit' },
    { method: 'POST', path: '/api/dead-letters/no-such-id/replay', body: undefined, status: 404, field: 'id' },
  ])('$method $path with bad input → $status naming $field', async ({ method, path, body, status, field }) => {
    const res = await call(method, path, body);
    expect(res.status).toBe(status);
    expect(res.json.error).toMatchObject({ field });
    expect(typeof res.json.error.message).toBe('string');
  });

  it('refuses a body that is not JSON, a wrong method and an unknown path', async () => {
    const text = await call('POST', '/api/players/p1/points', undefined, { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const wrongMethod = await call('DELETE', '/api/leaderboard');
    expect(wrongMethod.status).toBe(405);
    expect((await call('GET', '/api/nothing')).status).toBe(404);
  });

  it('lists a dead letter and replays it', async () => {
    // Given the poison award: the audit trail gives up on it after every attempt
    await call('POST', '/api/players/http-poison/points', { points: 5, reason: POISON_REASON });
    await app.settle(10_000);
    const list = await call('GET', '/api/dead-letters');
    const dead = list.json.deadLetters.find((d: { subject: string }) => d.subject.startsWith('http-poison'));
    expect(dead).toMatchObject({ eventType: EventTypes.PointsAwarded, handler: 'audit-trail', error: { name: 'AuditWriteError' } });

    // When it is replayed
    const replay = await call('POST', `/api/dead-letters/${dead.id}/replay`);
    // Then it was redelivered: its record is gone (still poison, it fails again into a new one)
    expect(replay.json).toEqual({ replayed: 1 });
    await app.settle(10_000);
    const after = (await call('GET', '/api/dead-letters')).json.deadLetters;
    expect(after.map((d: { id: string }) => d.id)).not.toContain(dead.id);
    expect(after.filter((d: { eventId: string }) => d.eventId === dead.eventId)).toHaveLength(1);
  });

  it('serves Prometheus metrics, health, stats and the dashboard', async () => {
    const metrics = await call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    expect(metrics.text).toMatch(/gamifier_events_published_total\{type="gamifier.points.awarded"\} \d+/);
    expect(metrics.text).toContain('gamifier_event_latency_seconds_bucket');

    const health = await call('GET', '/health');
    expect(health.json).toMatchObject({ status: 'ok', transport: 'memory', store: 'memory' });

    const stats = await call('GET', '/api/stats');
    expect(stats.json.stats.byType[EventTypes.PointsAwarded]).toBeGreaterThan(0);

    const page = await call('GET', '/');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('src="/dashboard.js"');
    expect((await call('GET', '/dashboard.js')).type).toContain('javascript');
  });

  it('streams live events as server-sent events', async () => {
    // Given a client on the stream
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/events/stream`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    // When points are awarded
    await call('POST', '/api/players/http-sse/points', { points: 7, reason: 'stream' });
    // Then the award appears in a flow message (bounded wait)
    const deadline = Date.now() + 5_000;
    while (!received.includes('"aggregateId":"http-sse"')) {
      if (Date.now() > deadline) throw new Error(`no flow message for http-sse within 5 s; got: ${received.slice(0, 500)}`);
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    expect(received).toContain('event: flow');
    expect(received).toContain('event: tick');
    controller.abort();
  });
});
