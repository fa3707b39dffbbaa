import type { Logger } from '../logger.js';
import type { ConnectionState, ConnectionStateChange } from './types.js';

/** Tracks a transport's connection state and tells listeners and the logger when it changes. */
export class ConnectionStateEmitter {
  private current: ConnectionState;
  private readonly listeners = new Set<(change: ConnectionStateChange) => void>();

  constructor(
    private readonly logger: Logger,
    private readonly transport: string,
    initial: ConnectionState = 'disconnected',
  ) {
    this.current = initial;
  }

  get state(): ConnectionState {
    return this.current;
  }

  on(listener: (change: ConnectionStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(state: ConnectionState, error?: Error, endpoint?: string): void {
    if (state === this.current) return;
    const change: ConnectionStateChange = { state, previous: this.current };
    if (error) change.error = error;
    if (endpoint !== undefined) change.endpoint = endpoint;
    this.current = state;
    const fields = { transport: this.transport, state, previous: change.previous, error: error?.message, endpoint };
    // A throwing logger must not keep listeners from hearing about the change (or make close() fail).
    try {
      if (state === 'disconnected' || state === 'reconnecting') this.logger.warn(fields, `${this.transport}: ${state}`);
      else this.logger.info(fields, `${this.transport}: ${state}`);
    } catch {
      // the logger is what failed; nothing to report it to
    }
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (listenerError) {
        try {
          this.logger.error({ transport: this.transport, error: (listenerError as Error)?.message }, 'connection listener threw');
        } catch {
          // as above
        }
      }
    }
  }
}

/**
 * A bus's one state from the states of the connections it uses (closed ones
 * do not count): reconnecting if any is, disconnected if any is down,
 * connected once one is up (a second connection opening for the first time
 * does not make a connected bus flap), else connecting. Undefined when no
 * connection counts.
 */
export function combinedConnectionState(states: Iterable<ConnectionState>): ConnectionState | undefined {
  let counted = false;
  let reconnecting = false;
  let disconnected = false;
  let connected = false;
  for (const state of states) {
    if (state === 'closed') continue;
    counted = true;
    if (state === 'reconnecting') reconnecting = true;
    else if (state === 'disconnected') disconnected = true;
    else if (state === 'connected') connected = true;
  }
  if (!counted) return undefined;
  if (reconnecting) return 'reconnecting';
  if (disconnected) return 'disconnected';
  return connected ? 'connected' : 'connecting';
}
