import { checkRedisSource, createClient, isClusterClient, type RedisClient } from '@herald/redis-common';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';

export { describeTarget, secretsOf } from '@herald/redis-common';

/**
 * What `redis` may be: an ioredis `Redis` or `Cluster` (duplicated, never used
 * or closed by the bus), options, or a URL.
 */
export type RedisSource = Redis | Cluster | RedisOptions | string;

export type ConnectionRole = 'publisher' | 'subscriber' | 'admin';

/**
 * The options Herald needs on its own connections, whatever the user's are:
 * - connect on first use (constructors are synchronous and do no I/O);
 * - no offline queue and no resending after a reconnect: a publish is either
 *   sent on a live connection or rejected within the bound, never sent
 *   later behind the caller's back;
 * - subscriptions are restored by SubscriberConnection, not by ioredis.
 */
const HERALD_OVERRIDES: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  autoResubscribe: false,
};

/**
 * The same for a Cluster as a whole. No auto-pipelining: ioredis never settles
 * an auto-pipeline lost with its node connection when it does not resend.
 */
const HERALD_CLUSTER_OVERRIDES = { lazyConnect: true, enableOfflineQueue: false, enableAutoPipelining: false };

/**
 * A Cluster's node connections keep their offline queue (ioredis's own
 * default): they connect on their first command, and without the queue that
 * command fails and is retried after the ones behind it, out of order. Node
 * connections do not reconnect (a lost one is made again on demand), so the
 * queue only holds commands during a node connection's first connect.
 */
const HERALD_NODE_OVERRIDES: RedisOptions = { ...HERALD_OVERRIDES, enableOfflineQueue: true };

/** Creates the bus's connections from what the user passed (checks and creation shared by the Redis packages). */
export class RedisClients {
  private readonly source: RedisSource;
  private readonly connectionName: string;
  /** True when the user passed an ioredis Cluster: publisher and admin connections are Clusters too. */
  readonly cluster: boolean;

  constructor(source: RedisSource, connectionName: string) {
    this.source = checkRedisSource(source, { component: 'RedisPubSubEventBus', cluster: true }) as RedisSource;
    this.connectionName = connectionName;
    this.cluster = isClusterClient(this.source);
  }

  /** A new, not yet connected client named `<connectionName>:<role>` (see CLIENT LIST; on a Cluster, on every node). */
  create(role: ConnectionRole): RedisClient {
    const overrides = this.cluster ? HERALD_NODE_OVERRIDES : HERALD_OVERRIDES;
    return createClient(this.source, { ...overrides, connectionName: `${this.connectionName}:${role}` }, HERALD_CLUSTER_OVERRIDES);
  }

  /**
   * The subscriber: a plain connection. On a Cluster it is a connection to one
   * node (classic pub/sub reaches every node), first the Cluster's first
   * startup node; its setup aims it at the route key's master (see
   * cluster-route.ts). After a failed reconnection attempt it tries the next
   * startup node, so a node that stays down does not hold the subscriptions.
   */
  createSubscriber(): Redis {
    if (!isClusterClient(this.source)) return this.create('subscriber') as Redis;
    const nodes = startupNodes(this.source);
    let next = 0;
    const options: RedisOptions = {
      ...this.source.options.redisOptions,
      ...HERALD_OVERRIDES,
      ...nodes[0],
      connectionName: `${this.connectionName}:subscriber`,
      retryStrategy: (times) => {
        if (times > 1) {
          next = (next + 1) % nodes.length;
          client.options.host = nodes[next]!.host;
          client.options.port = nodes[next]!.port;
        }
        return Math.min(times * 50, 2_000);
      },
    };
    const client = new Redis(options);
    return client;
  }
}

/** The addresses a Cluster was built from (ioredis keeps them as given: objects, ports or URLs). */
function startupNodes(cluster: Cluster): Array<{ host: string; port: number }> {
  // startupNodes is not in ioredis's public typings.
  const given = (cluster as unknown as { startupNodes: Array<string | number | { host?: string; port?: number }> }).startupNodes;
  return given.map((n) => {
    if (typeof n === 'number') return { host: '127.0.0.1', port: n };
    if (typeof n === 'string') {
      const url = new URL(/^\w+:\/\//.test(n) ? n : `redis://${n}`);
      return { host: url.hostname || '127.0.0.1', port: Number(url.port || 6379) };
    }
    return { host: n.host ?? '127.0.0.1', port: n.port ?? 6379 };
  });
}
