import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { reachable, type BenchContext, type BenchResult, type Scenario } from '../harness.js';
import { runRabbit, type RabbitTarget } from './rabbitmq.js';

/**
 * The `rabbitmq` scenario's publish → handled measurement (confirmed +
 * persistent + acked, ≤ 1,000 in flight, Herald vs raw amqplib by hand in the
 * same run; target ratio ≥ 0.9) and latency, on the private 3-node cluster of
 * tooling/scripts/rabbitmq-cluster.sh with quorum queues: every message is
 * replicated to a majority of the three nodes before it is confirmed. Both
 * sides connect to node 1, where the queue's leader then lives. The cluster is
 * started when it is not running, and stopped again afterwards in that case.
 *
 * The three nodes, the benchmark and everything else share the machine's two
 * cores, so the absolute rate says little about a cluster on its own
 * machines; the ratio is the comparison.
 */

const SCRIPT = fileURLToPath(new URL('../../../../tooling/scripts/rabbitmq-cluster.sh', import.meta.url));
const run = promisify(execFile);

const CLUSTER: RabbitTarget = {
  scenario: 'rabbitmq-cluster',
  urls: [5681, 5682, 5683].map((port) => `amqp://guest:guest@127.0.0.1:${port}/%2f`),
  queueType: 'quorum',
  sizes: { n: 20_000, runs: 3, latencyN: 5_000, quick: { n: 2_000, runs: 1, latencyN: 1_000 } },
  batched: false,
};

async function runCluster(ctx: BenchContext): Promise<BenchResult[]> {
  const started = !(await reachable(5681));
  if (started) {
    ctx.log('starting the 3-node cluster (tooling/scripts/rabbitmq-cluster.sh start)');
    await run('bash', [SCRIPT, 'start'], { timeout: 300_000 });
  }
  try {
    return await runRabbit(ctx, CLUSTER);
  } finally {
    if (started) await run('bash', [SCRIPT, 'stop'], { timeout: 300_000 });
  }
}

export const scenarios: Scenario[] = [{ name: 'rabbitmq-cluster', run: runCluster }];
