import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ClientAdmin, killClients } from './redis-clients.js';
import { type KeyClient, listKeys } from './redis-keys.js';

const script = fileURLToPath(new URL('../scripts/redis-cluster.sh', import.meta.url));

/** The local cluster's nodes (tooling/scripts/redis-cluster.sh: 3 masters). */
export const CLUSTER_NODES = [7001, 7002, 7003].map((port) => ({ host: '127.0.0.1', port }));

/** Starts the local 3-master cluster when it is not up (idempotent, bounded by the script). */
export async function startCluster(): Promise<void> {
  await promisify(execFile)('bash', [script, 'start'], { timeout: 60_000 });
}

/** The command `masterOf` uses, as an ioredis Cluster has it. */
export interface ClusterCaller {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** The port of the master that serves `key` now (CLUSTER KEYSLOT + CLUSTER SLOTS). */
export async function masterOf(cluster: ClusterCaller, key: string): Promise<number> {
  const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', key));
  const ranges = (await cluster.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]]]>;
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (!range) throw new Error(`no master serves slot ${slot}`);
  return Number(range[2][1]);
}

/**
 * Kills the connections named `name…` on every node of the local cluster
 * (CLIENT LIST/KILL run per node). `openNode` gives a plain connection to one
 * node (the caller's ioredis); it is quit afterwards. Returns how many.
 */
export async function killClientsOnEveryNode(
  openNode: (port: number) => ClientAdmin & { quit(): Promise<unknown> },
  name: string,
  only?: 'pubsub' | 'normal',
): Promise<number> {
  let killed = 0;
  for (const { port } of CLUSTER_NODES) {
    const node = openNode(port);
    try {
      killed += await killClients(node, name, only);
    } finally {
      await node.quit();
    }
  }
  return killed;
}

/**
 * Deletes every key under each prefix on every node of the local cluster (SCAN
 * runs per node; one key per UNLINK, since keys of different slots cannot share
 * one). `openNode` as for killClientsOnEveryNode.
 */
export async function deleteKeysOnEveryNode(openNode: (port: number) => KeyClient & { quit(): Promise<unknown> }, prefixes: readonly string[]): Promise<void> {
  for (const { port } of CLUSTER_NODES) {
    const node = openNode(port);
    try {
      for (const prefix of prefixes) for (const key of await listKeys(node, prefix)) await node.unlink(key);
    } finally {
      await node.quit();
    }
  }
}
