import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { withChannel } from '../../../tooling/test-support/rabbitmq.js';
import { RabbitMQEventBus, type RabbitMQEventBusOptions } from '../src/index.js';
import { uniquePrefix } from './helpers.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../tooling/scripts/rabbitmq-cluster.sh', import.meta.url));

/** The private cluster tooling/scripts/rabbitmq-cluster.sh runs (never the shared broker on 5672). */
export const CLUSTER_NODES = [1, 2, 3] as const;
export type ClusterNode = (typeof CLUSTER_NODES)[number];
export const nodeUrl = (n: ClusterNode) => `amqp://guest:guest@127.0.0.1:${5680 + n}/%2f`;
export const nodeName = (n: ClusterNode) => `herald-c${n}@localhost`;
/** The endpoint a bus reports in on('connection') for node n. */
export const nodeEndpoint = (n: ClusterNode) => `amqp://127.0.0.1:${5680 + n}/%2F`;

export async function cluster(command: 'start' | 'stop' | 'status'): Promise<string> {
  const { stdout } = await run('bash', [SCRIPT, command], { timeout: 590_000 });
  return stdout;
}

/** rabbitmqctl against one node of the cluster. */
export async function clusterCtl(n: ClusterNode, ...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [SCRIPT, 'ctl', String(n), ...args], { timeout: 120_000 });
  return stdout;
}

/** The node holding the leader of quorum queue `queue`. */
export async function leaderOf(queue: string, askNode: ClusterNode = 1): Promise<ClusterNode> {
  const out = await clusterCtl(askNode, '-q', 'list_queues', 'name', 'leader', '--no-table-headers');
  for (const line of out.split('\n')) {
    const [name, leader] = line.trim().split(/\t/);
    if (name !== queue) continue;
    const n = CLUSTER_NODES.find((c) => leader === nodeName(c));
    if (n !== undefined) return n;
  }
  throw new Error(`no leader listed for ${queue}`);
}

/** Starts the app of every node whose app is stopped (after a test stopped one). */
export async function startAllApps(): Promise<void> {
  await Promise.all(CLUSTER_NODES.map((n) => clusterCtl(n, '-q', 'start_app')));
}

export function withClusterChannel<T>(job: (ch: amqp.Channel) => Promise<T>, n: ClusterNode = 1): Promise<T> {
  return withChannel(amqp, nodeUrl(n), job);
}

/** Closes every connection whose name starts with `name`, wherever in the cluster it is. */
export async function closeClusterConnectionsNamed(name: string): Promise<number> {
  const out = await clusterCtl(1, '-q', 'list_connections', 'pid', 'client_properties', '--no-table-headers');
  const pids = out
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${name}`))
    .map((line) => line.slice(0, line.indexOf('\t')).trim());
  for (const pid of pids) await clusterCtl(1, '-q', 'close_connection', pid, 'herald test: killing own connection');
  return pids.length;
}

/** Buses on the cluster, nodes listed from `first` on; closed by `closeAll` (the cluster's data goes with it). */
export class ClusterBuses {
  private readonly buses: RabbitMQEventBus[] = [];

  create(tag: string, first: ClusterNode, options: Partial<RabbitMQEventBusOptions> = {}): RabbitMQEventBus {
    const order = [0, 1, 2].map((i) => CLUSTER_NODES[(first - 1 + i) % 3]!);
    const prefix = options.prefix ?? uniquePrefix(tag);
    const bus = new RabbitMQEventBus({
      urls: order.map(nodeUrl),
      prefix,
      connectionName: `herald-cluster-test:${prefix}`,
      queueType: 'quorum',
      ...options,
    });
    this.buses.push(bus);
    return bus;
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.buses.splice(0).map((b) => b.close()));
  }
}
