import { Cluster, Redis } from 'ioredis';
import { CLUSTER_NODES } from '../../../../tooling/test-support/redis-cluster.js';

export { CLUSTER_NODES, deleteKeysOnEveryNode, killClientsOnEveryNode, masterOf, startCluster } from '../../../../tooling/test-support/redis-cluster.js';

export function clusterClient(): Cluster {
  return new Cluster(CLUSTER_NODES, { redisOptions: { maxRetriesPerRequest: 3 } });
}

/** A plain connection to one node, for commands on that node alone (CLIENT LIST/KILL). */
export function nodeClient(port: number): Redis {
  return new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 3 });
}
