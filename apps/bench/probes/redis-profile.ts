/**
 * Probe (not a benchmark): runs one side of the `redis-pubsub` or
 * `redis-streams` scenario alone, so that a CPU profile shows where that
 * side's time goes. Run it under `node --cpu-prof` and summarize the profile
 * with cpuprofile-top.ts:
 *
 *   cd apps/bench
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx probes/redis-profile.ts redis-pubsub herald single 200000
 *   npx tsx probes/cpuprofile-top.ts /tmp/prof/<file>.cpuprofile 25
 *
 * Arguments: scenario (`redis-pubsub` | `redis-streams`), side (`herald` |
 * `raw`), mode (`single` | `batched`), events (default 200,000), and for
 * `redis-streams` the target (`standalone` | `cluster`: the local Redis Cluster
 * of tooling/scripts/redis-cluster.sh, 3 partitions). A warm-up of
 * a quarter of that runs first (the profile covers it too; a node process
 * spawns a second profile file for tsx's loader: take the largest). Prints
 * events/s and client CPU µs per event of the measured run.
 */
import { randomUUID } from 'node:crypto';
import * as pubsub from '../src/scenarios/redis-pubsub.js';
import * as streams from '../src/scenarios/redis-streams.js';

const [scenario = 'redis-pubsub', side = 'herald', mode = 'single', count = '200000', where = 'standalone'] = process.argv.slice(2);
const n = Number(count);
if (side !== 'herald' && side !== 'raw') throw new Error(`side must be herald or raw, not ${side}`);
if (mode !== 'single' && mode !== 'batched') throw new Error(`mode must be single or batched, not ${mode}`);
if (where !== 'standalone' && where !== 'cluster') throw new Error(`target must be standalone or cluster, not ${where}`);
const target = { kind: where } as streams.Target;
const prefix = `herald-probe:${randomUUID().slice(0, 8)}:`;

const s =
  scenario === 'redis-pubsub'
    ? await (side === 'herald' ? pubsub.heraldSide(prefix) : pubsub.rawSide(prefix))
    : scenario === 'redis-streams'
      ? await (side === 'herald' ? streams.heraldSide(target, prefix) : streams.rawSide(target, prefix))
      : undefined;
if (!s) throw new Error(`scenario must be redis-pubsub or redis-streams, not ${scenario}`);
try {
  await s.once(mode, Math.ceil(n / 4));
  const cpu = process.cpuUsage();
  const rate = await s.once(mode, n);
  const used = process.cpuUsage(cpu);
  console.log(`${scenario} ${side} ${mode}: ${Math.round(rate).toLocaleString('en-US')} events/s, ${((used.user + used.system) / n).toFixed(2)} µs CPU/event`);
} finally {
  await s.close();
}
