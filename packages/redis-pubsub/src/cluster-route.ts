import type { RedisClient } from '@herald/redis-common';
import type { Redis } from 'ioredis';

/**
 * Redis Cluster layout of a bus (classic pub/sub, see README "Redis Cluster").
 *
 * A PUBLISH on any node of a Cluster reaches the subscribers of every node,
 * but its reply counts only the subscribers of the node that ran it, and two
 * PUBLISHes sent to two nodes can reach a subscriber in either order. So every
 * bus of one prefix publishes through one node, the master of the slot of its
 * route key (a script whose only key is the route key, never read or written),
 * and subscribes on that same master: events keep their publish order, and a
 * replay's receiver count means what it means on a standalone server. The dead
 * letters share the route key's hash tag, so their scripts stay in one slot.
 */
export function clusterHashTag(prefix: string): string {
  return `${prefix}{${prefix}pubsub}:`;
}

/** The key that routes a bus's publishes on a Cluster (never stored). */
export function routeKey(prefix: string): string {
  return `${clusterHashTag(prefix)}route`;
}

/** A node's address as CLUSTER SLOTS reports it. */
export interface NodeAddress {
  host: string;
  port: number;
}

/** The master that serves `key`'s slot, asked of whichever node `client` is connected to. */
export async function slotMaster(client: Redis, key: string): Promise<NodeAddress> {
  const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
  const ranges = (await client.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]], ...unknown[]]>;
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (!range) throw new Error(`no master serves slot ${slot} (cluster down?)`);
  const [host, port] = range[2];
  // An empty host means "the address you reached me on" (cluster-announce not set).
  return { host: host || (client.options.host ?? '127.0.0.1'), port: Number(port) };
}

/**
 * Thrown by the subscriber's connection setup when it reached a node that is
 * not its slot's master: the connection is re-aimed and dropped, and ioredis
 * reconnects to the right node.
 */
export class SubscriberMovedError extends Error {
  constructor(to: NodeAddress) {
    super(`subscriber moves to the route key's master ${to.host}:${to.port}`);
    this.name = 'SubscriberMovedError';
  }
}

/**
 * Points a plain connection at the master of `key`'s slot: resolves when it is
 * already there, otherwise changes its target (ioredis reads host/port on each
 * connect) and throws SubscriberMovedError so the caller reconnects.
 */
export async function aimAtSlotMaster(client: Redis, key: string): Promise<void> {
  const master = await slotMaster(client, key);
  const { host, port } = client.options;
  if (host === master.host && port === master.port) return;
  client.options.host = master.host;
  client.options.port = master.port;
  throw new SubscriberMovedError(master);
}

/**
 * Before a Cluster publisher counts as ready: one command through the route
 * key, so ioredis has followed any MOVED for that slot. Otherwise the first
 * chunk of a publishAll can be redirected and run after the chunks behind it.
 */
export async function warmRoute(client: RedisClient, route: string): Promise<void> {
  await client.eval('return 1', 1, route);
}
