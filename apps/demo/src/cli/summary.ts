import type { SeasonSummary } from '../season.js';

const n = (x: number) => Math.round(x).toLocaleString('en-US');
// Handler durations are sub-millisecond floats; latencies come from millisecond timestamps.
const ms = (x: number) => (x < 1 ? x.toFixed(2) : x < 10 ? x.toFixed(1) : n(x)) + ' ms';
const latency = (x: number) => (x < 1 ? '<1 ms' : ms(x));

/** Rows as aligned columns; numbers (cells starting with a digit or minus) right-aligned. */
function table(rows: string[][], indent = '  '): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      indent +
      r
        .map((cell, i) => (i > 0 && /^[-\d]/.test(cell) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The readable end-of-season report printed on stdout. */
export function formatSummary(s: SeasonSummary): string {
  const out: string[] = [];
  const seconds = s.durationMs / 1000;
  out.push(`Gamifier season — ${s.transport} transport, ${s.store} store`);
  out.push(
    `  ${n(s.players)} players · ${n(s.commands.total)} scripted commands ${s.rate > 0 ? `at ${n(s.rate)}/s` : 'unpaced'} · ` +
      `${seconds.toFixed(1)} s · ${n(s.events.delivered / seconds)} events/s delivered`,
  );

  out.push('', 'Commands');
  out.push(
    table([
      ['AwardPoints', `${n(s.commands.awards.accepted)} accepted`, `${n(s.commands.awards.rejected)} rejected`, `${n(s.commands.awards.points)} points`],
      ['RedeemReward', `${n(s.commands.redemptions.accepted)} accepted`, `${n(s.commands.redemptions.rejected)} rejected`, `${n(s.commands.redemptions.points)} points  (rejected: not enough points)`],
      ['GrantBadge', `${n(s.commands.badgeGrants)} dispatched`, '', '(by the badge policy, in reaction to events)'],
    ]),
  );

  out.push('', 'Events by type');
  const rows = Object.entries(s.events.byType)
    .sort((a, b) => b[1] - a[1])
    .map(([type, count]) => [type, n(count)]);
  rows.push(['total delivered', n(s.events.delivered)]);
  out.push(table(rows));
  out.push(`  (${n(s.events.stored)} domain events stored, ${n(s.events.relayed)} published by the outbox relay)`);

  out.push('', 'Leaderboard — top 5');
  out.push(
    table([
      ['#', 'player', 'lifetime', 'balance', 'level', 'badges'],
      ...s.leaderboard.map((e) => [String(e.rank), e.playerId, n(e.lifetimePoints), n(e.points), String(e.level), String(e.badges)]),
    ]),
  );

  out.push('', 'Latency, event raised → delivered');
  out.push(
    `  p50 ${latency(s.latencyMs.p50)} · p90 ${latency(s.latencyMs.p90)} · p99 ${latency(s.latencyMs.p99)} · max ${latency(s.latencyMs.max)}  (${n(s.latencyMs.count)} events)`,
  );

  if (s.tracker) {
    out.push(
      `  PrometheusEventTracker, per handling: p50 ${latency(s.tracker.p50Ms)} · p99 ${latency(s.tracker.p99Ms)} · ` +
        `failure rate ${(s.tracker.failureRate * 100).toFixed(2)}% of ${n(s.tracker.handlings)} handlings`,
    );
  }

  out.push('', 'Handlers');
  out.push(
    table([
      ['handler', 'handled', 'retries', 'dead letters', 'avg'],
      ...s.handlers.map((h) => [h.name, n(h.handled), n(h.retries), n(h.deadLettered), ms(h.avgMs)]),
    ]),
  );
  out.push(`  Retries: ${n(s.retries)} (the notifier failed ${n(s.notifier.failedFirstAttempts)} first attempts; ${n(s.notifier.sent)} notifications sent)`);

  out.push('', `Dead letters: ${s.deadLetters.length}`);
  for (const d of s.deadLetters) {
    out.push(`  ${d.eventType} ${d.subject} — ${d.handler}, ${d.attempts} attempts`);
    out.push(`    ${d.error.name}: ${JSON.stringify(d.error.message).slice(1, -1)}`);
  }

  const es = s.eventSourcing;
  out.push('', 'Event sourcing');
  out.push(
    table([
      ['leaderboard rebuild', `${n(es.rebuild.events)} events`, `${n(es.rebuild.eventsPerSecond)} events/s`, es.rebuild.equalsLive ? 'equals the live projection' : 'DIFFERS from the live projection'],
      ['badge.earned schema', `${n(es.badges.v2)}/${n(es.badges.read)} read as v2`, `${n(es.badges.legacy)} stored as v1`, '(upcast on read)'],
      ['Player snapshots', `${n(es.snapshots.fromSnapshot)}/${n(es.snapshots.players)} loaded from one`, '', es.snapshots.equal ? 'equal to a full replay' : 'DIFFER from a full replay'],
    ]),
  );

  const passed = s.checks.filter((c) => c.ok).length;
  out.push('', `Consistency: ${passed}/${s.checks.length} checks pass${s.ok ? ' ✓' : ' ✗'}`);
  for (const c of s.checks) if (!c.ok) out.push(`  ✗ ${c.name}: ${c.detail}`);
  return `${out.join('\n')}\n`;
}
