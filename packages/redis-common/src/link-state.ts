import type { ConnectionState } from '@herald/core';
import { combinedConnectionState } from '@herald/core/transport';

/** One Redis connection's state as a bus sees it ('ready' = usable: for a subscriber, subscriptions restored). */
export type LinkState = 'idle' | 'connecting' | 'ready' | 'down' | 'reconnecting' | 'ended';

/** What a bus knows of one of its connections. */
export interface LinkStatus {
  /** False until something asked for the connection (a bus that only publishes never opens its subscriber). */
  readonly used: boolean;
  readonly state: LinkState;
  readonly lastError?: Error | undefined;
}

const AS_CONNECTION_STATE: Record<LinkState, ConnectionState> = {
  idle: 'disconnected',
  connecting: 'connecting',
  ready: 'connected',
  down: 'disconnected',
  reconnecting: 'reconnecting',
  ended: 'disconnected',
};

/**
 * The bus's one connection state from its connections in use (core's rule,
 * `combinedConnectionState`) and the most recent error among those not ready,
 * for the state change event. Undefined while none is in use.
 */
export function busLinkState(links: readonly (LinkStatus | undefined)[]): { state: ConnectionState; error: Error | undefined } | undefined {
  const used = links.filter((l): l is LinkStatus => l?.used === true);
  const state = combinedConnectionState(used.map((l) => AS_CONNECTION_STATE[l.state]));
  if (state === undefined) return undefined;
  return { state, error: used.find((l) => l.state !== 'ready' && l.lastError)?.lastError };
}
