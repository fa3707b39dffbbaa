import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';

const script = fileURLToPath(new URL('../../../../tooling/scripts/redis-cluster.sh', import.meta.url));

/** The local cluster's nodes (tooling/scripts/redis-cluster.sh). */
export const CLUSTER_NODES = [7001, 7002, 7003].map((port) => ({ host: '127.0.0.1', port }));

/** Starts the local 3-master cluster when it is not up (idempotent, bounded by the script). */
export async function startCluster(): Promise<void> {
  await promisify(execFile)('bash', [script, 'start'], { timeout: 60_000 });
}

export function clusterClient(): Cluster {
  return new Cluster(CLUSTER_NODES, { redisOptions: { maxRetriesPerRequest: 3 } });
}

/** The port of the master that serves `key` now (CLUSTER KEYSLOT + CLUSTER SLOTS). */
export async function masterOf(cluster: Cluster, key: string): Promise<number> {
  const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', key));
  const ranges = (await cluster.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]]]>;
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (!range) throw new Error(`no master serves slot ${slot}`);
  return Number(range[2][1]);
}

/** A plain connection to one node, for commands on that node alone (CLIENT LIST/KILL). */
export function nodeClient(port: number): Redis {
  return new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 3 });
}
