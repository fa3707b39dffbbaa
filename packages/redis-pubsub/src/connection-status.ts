import type { ConnectionState } from '@herald/core';
import type { ManagedConnection } from './managed-connection.js';

/**
 * The bus's one connection state from its connections in use (a bus that only
 * publishes never opens its subscriber): reconnecting if any is, disconnected
 * if any is down, connecting while none is ready yet, else connected (a second
 * connection opening for the first time does not make a connected bus flap).
 * Undefined while none is in use.
 */
export function busState(connections: readonly ManagedConnection[]): ConnectionState | undefined {
  const used = connections.filter((c) => c.used);
  if (used.length === 0) return undefined;
  if (used.some((c) => c.state === 'reconnecting')) return 'reconnecting';
  if (used.some((c) => c.state === 'down' || c.state === 'ended')) return 'disconnected';
  return used.some((c) => c.state === 'ready') ? 'connected' : 'connecting';
}

/** The most recent error among the connections, for the state change event. */
export function lastError(connections: readonly ManagedConnection[]): Error | undefined {
  for (const c of connections) if (c.state !== 'ready' && c.lastError) return c.lastError;
  return undefined;
}
