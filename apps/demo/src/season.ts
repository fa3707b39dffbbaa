import { isHeraldError, sleep, type DomainEvent, type RebuildProgress } from '@herald/core';
import type { DeadLetterView, Gamifier } from './app.js';
import { awardPoints, redeemReward, type AwardPoints, type RedeemReward } from './domain/commands.js';
import { EventTypes } from './domain/events.js';
import { checkEventSourcing, seedLegacyEvents, type EventSourcingReport } from './event-sourcing-checks.js';
import type { HandlerStats } from './infrastructure/flow-monitor.js';
import type { LeaderboardEntry } from './projections/leaderboard.js';
import { intBetween, pick, seededRandom } from './random.js';

export interface SeasonOptions {
  /** Players taking part. Default 300. */
  players?: number;
  /** Commands the script dispatches (the badge policy dispatches more). Default 3000. */
  commands?: number;
  /** Seed of the script's random choices. Default 2024. */
  seed?: number;
  /** Commands in flight at once. Default 16. */
  concurrency?: number;
  /**
   * Commands started per second; 0 sends them as fast as they go. Default 1000:
   * a steady load, so latency shows the system rather than the queue of a burst.
   */
  rate?: number;
  /** Bound for the wait until every event is handled. Default 120 s. */
  settleTimeoutMs?: number;
  onProgress?: (progress: SeasonProgress) => void;
  /** Progress of the leaderboard rebuild that follows the season. */
  onRebuildProgress?: (progress: RebuildProgress) => void;
}

export interface SeasonProgress {
  phase: 'commands' | 'settling' | 'done';
  done: number;
  total: number;
  accepted: number;
  rejected: number;
  /** Events the monitor has seen delivered. */
  events: number;
  /** Events saved to the store, and how many of them the outbox relay has published. */
  stored: number;
  relayed: number;
}

export interface SeasonCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SeasonSummary {
  transport: string;
  store: string;
  players: number;
  durationMs: number;
  /** Commands per second the script was paced at (0: unpaced). */
  rate: number;
  commands: {
    total: number;
    awards: { accepted: number; rejected: number; points: number };
    redemptions: { accepted: number; rejected: number; points: number };
    /** GrantBadge commands the badge policy dispatched in reaction to events. */
    badgeGrants: number;
    /** Commands that failed for a reason other than validation (should be 0). */
    failed: number;
  };
  events: {
    /** Events seen on the bus by type: domain, integration and system. */
    byType: Record<string, number>;
    delivered: number;
    /** Domain events in the store by type. */
    storedByType: Record<string, number>;
    stored: number;
    /** Events the outbox relay handed to the bus. */
    relayed: number;
  };
  leaderboard: LeaderboardEntry[];
  latencyMs: { p50: number; p90: number; p99: number; avg: number; max: number; count: number };
  /** PrometheusEventTracker's view (every handling by every subscriber), when tracking is on. */
  tracker?: { handlings: number; p50Ms: number; p99Ms: number; failureRate: number };
  retries: number;
  notifier: { sent: number; failedFirstAttempts: number };
  deadLetters: DeadLetterView[];
  handlers: HandlerStats[];
  /** The leaderboard rebuild, the upcast legacy events, the snapshot loads. */
  eventSourcing: EventSourcingReport;
  checks: SeasonCheck[];
  ok: boolean;
}

const REASONS = ['daily login', 'quiz answered', 'challenge won', 'streak kept', 'friend invited', 'review written'];
const REWARDS = ['coffee voucher', 'sticker pack', 'movie ticket', 't-shirt', 'gift card'];
/** The poison: a reason with a NUL byte, which the audit log cannot store. */
export const POISON_REASON = 'legacy import \u0000 row 1207';

/** The scripted commands of a season, deterministic for a seed. One of them is the poison. */
export function seasonScript(players: number, commands: number, seed: number): Array<AwardPoints | RedeemReward> {
  const random = seededRandom(seed);
  const ids = Array.from({ length: players }, (_, i) => `player-${String(i + 1).padStart(3, '0')}`);
  const poisonAt = Math.floor(commands / 2);
  const script: Array<AwardPoints | RedeemReward> = [];
  for (let i = 0; i < commands; i++) {
    // A skewed choice, so the season has leaders and a long tail.
    const player = ids[Math.floor(players * random() ** 1.6)]!;
    if (i === poisonAt) script.push(awardPoints(player, 25, POISON_REASON, { userId: 'importer' }));
    else if (random() < 0.8) script.push(awardPoints(player, intBetween(random, 5, 100), pick(random, REASONS), { userId: 'season-script' }));
    else script.push(redeemReward(player, intBetween(random, 50, 250), pick(random, REWARDS), { userId: 'season-script' }));
  }
  return script;
}

/** Runs a scripted season on a started app, waits until everything is handled, and checks the numbers add up. */
export async function runSeason(app: Gamifier, options: SeasonOptions = {}): Promise<SeasonSummary> {
  const players = options.players ?? 300;
  const total = options.commands ?? 3000;
  const concurrency = options.concurrency ?? 16;
  const rate = options.rate ?? 1000;
  const intervalMs = rate > 0 ? 1000 / rate : 0;
  const script = seasonScript(players, total, options.seed ?? 2024);
  const started = performance.now();
  const badgeGrantsBefore = app.badgePolicy.dispatchedCount;
  // Last season's events, in the old badge schema, are in the store before this season starts.
  const legacy = await seedLegacyEvents(app);
  const c = {
    awards: { accepted: 0, rejected: 0, points: 0 },
    redemptions: { accepted: 0, rejected: 0, points: 0 },
    failed: 0,
  };
  let done = 0;
  const progress = (phase: SeasonProgress['phase']) => {
    if (!options.onProgress) return;
    const activity = app.monitor.activity;
    options.onProgress({
      phase,
      done,
      total,
      accepted: c.awards.accepted + c.redemptions.accepted,
      rejected: c.awards.rejected + c.redemptions.rejected,
      events: activity.delivered,
      stored: app.savedCount + legacy, // last season's seeded events go through the outbox too
      relayed: app.relay.publishedCount,
    });
  };

  let next = 0;
  const worker = async () => {
    while (next < script.length) {
      const index = next++;
      const command = script[index]!;
      if (intervalMs > 0) {
        const wait = started + index * intervalMs - performance.now();
        if (wait >= 1) await sleep(wait);
      }
      const tally = command.type === 'AwardPoints' ? c.awards : c.redemptions;
      try {
        await app.dispatch(command);
        tally.accepted++;
        tally.points += command.payload.points;
      } catch (error) {
        if (isHeraldError(error, 'COMMAND_VALIDATION')) tally.rejected++;
        else c.failed++;
      }
      done++;
      if (done % 25 === 0 || done === total) progress('commands');
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));

  // The commands are in; events are still flowing through the outbox, the bus and the retries.
  progress('settling');
  const ticker = options.onProgress ? setInterval(() => progress('settling'), 100) : undefined;
  try {
    await app.settle(options.settleTimeoutMs ?? 120_000);
  } finally {
    clearInterval(ticker);
  }
  progress('done');
  const durationMs = performance.now() - started;
  const eventSourcing = await checkEventSourcing(app, legacy, options.onRebuildProgress);
  return summarize(app, {
    players,
    total,
    durationMs,
    rate,
    counts: c,
    badgeGrants: app.badgePolicy.dispatchedCount - badgeGrantsBefore,
    eventSourcing,
  });
}

async function summarize(
  app: Gamifier,
  run: {
    players: number;
    total: number;
    durationMs: number;
    rate: number;
    counts: { awards: SeasonSummary['commands']['awards']; redemptions: SeasonSummary['commands']['redemptions']; failed: number };
    badgeGrants: number;
    eventSourcing: EventSourcingReport;
  },
): Promise<SeasonSummary> {
  const snap = app.monitor.snapshot();
  const storedByType: Record<string, number> = {};
  let stored = 0;
  for (let position = 0; ; ) {
    const batch = await app.infrastructure.store.getAllEvents(position, 1000);
    for (const event of batch) {
      storedByType[event.type] = (storedByType[event.type] ?? 0) + 1;
      stored++;
      position = event.position + 1;
    }
    if (batch.length < 1000) break;
  }
  const deadLetters = await app.deadLetters();
  const totals = app.leaderboard.totals();
  const { awards, redemptions } = run.counts;
  const es = run.eventSourcing;
  const seen = (type: string) => snap.byType[type] ?? 0;
  const kept = (type: string) => storedByType[type] ?? 0;

  // What the script makes happen, given the retry settings in force.
  const { retry, deadLetterEnabled } = app.config.events;
  const announced = seen(EventTypes.LevelUpAnnounced);
  const notifierGaveUp = retry.maxAttempts === 1 ? app.notifier.failedCount : 0;
  const exhausted = 1 + notifierGaveUp;
  const poison = deadLetters.find((d) => (d.event as DomainEvent | undefined)?.data?.reason === POISON_REASON);

  const checks: SeasonCheck[] = [
    check('every stored event was published by the outbox', app.relay.publishedCount === stored, `${stored} stored, ${app.relay.publishedCount} relayed`),
    check(
      'every stored event reached the subscribers',
      Object.keys(storedByType).every((t) => seen(t) >= kept(t)),
      `${stored} stored, ${Object.keys(storedByType).reduce((n, t) => n + seen(t), 0)} delivered`,
    ),
    check('one points.awarded per accepted AwardPoints', kept(EventTypes.PointsAwarded) === awards.accepted, `${kept(EventTypes.PointsAwarded)} events, ${awards.accepted} commands`),
    check('one points.redeemed per accepted RedeemReward', kept(EventTypes.PointsRedeemed) === redemptions.accepted, `${kept(EventTypes.PointsRedeemed)} events, ${redemptions.accepted} commands`),
    check('leaderboard lifetime points = points awarded', totals.lifetimePoints === awards.points, `${totals.lifetimePoints} vs ${awards.points}`),
    check('leaderboard balances = awarded − redeemed', totals.points === awards.points - redemptions.points, `${totals.points} vs ${awards.points - redemptions.points}`),
    check('leaderboard badges = badge.earned events', totals.badges === kept(EventTypes.BadgeEarned), `${totals.badges} vs ${kept(EventTypes.BadgeEarned)}`),
    check('one level-up announcement per level reached', announced === kept(EventTypes.LevelReached), `${announced} announced, ${kept(EventTypes.LevelReached)} reached`),
    check('every announcement notified, retries included', app.notifier.sentCount === announced - notifierGaveUp, `${app.notifier.sentCount} sent, ${notifierGaveUp} gave up`),
    deadLetterEnabled
      ? check('the poison event, and only what gave up, dead-lettered', deadLetters.length === exhausted && poison !== undefined, `${deadLetters.length} dead letter(s), ${exhausted} expected`)
      : check('dead-lettering off: the failures were dropped', snap.failed === exhausted, `${snap.failed} dropped, ${exhausted} expected`),
    check('no command failed unexpectedly', run.counts.failed === 0, `${run.counts.failed} failed`),
    check('rebuilt leaderboard = live leaderboard', es.rebuild.equalsLive, `${es.rebuild.events} events replayed`),
    check(
      'every badge.earned reads as schema v2, the legacy v1 ones upcast',
      es.badges.v2 === es.badges.read && es.badges.legacy > 0 && es.badges.legacyPlayersRanked,
      `${es.badges.v2}/${es.badges.read} v2, ${es.badges.legacy} written as v1`,
    ),
    check(
      'players loaded from snapshots = full replay',
      es.snapshots.equal && es.snapshots.fromSnapshot > 0,
      `${es.snapshots.fromSnapshot}/${es.snapshots.players} from a snapshot`,
    ),
  ];

  const metrics = app.infrastructure.metrics;
  const trackerStats = metrics ? await metrics.tracker.getStats() : undefined;

  return {
    ...(trackerStats
      ? {
          tracker: {
            handlings: trackerStats.total,
            p50Ms: trackerStats.timeDistribution.p50 * 1000,
            p99Ms: trackerStats.timeDistribution.p99 * 1000,
            failureRate: trackerStats.failureRate,
          },
        }
      : {}),
    transport: app.infrastructure.description.transport,
    store: app.infrastructure.description.store,
    players: run.players,
    durationMs: run.durationMs,
    rate: run.rate,
    commands: { total: run.total, awards, redemptions, badgeGrants: run.badgeGrants, failed: run.counts.failed },
    events: { byType: snap.byType, delivered: snap.delivered, storedByType, stored, relayed: app.relay.publishedCount },
    leaderboard: app.leaderboard.top(5),
    latencyMs: snap.latencyMs,
    retries: snap.retries,
    notifier: { sent: app.notifier.sentCount, failedFirstAttempts: app.notifier.failedCount },
    deadLetters,
    handlers: snap.handlers,
    eventSourcing: es,
    checks,
    ok: checks.every((x) => x.ok),
  };
}

function check(name: string, ok: boolean, detail: string): SeasonCheck {
  return { name, ok, detail };
}
