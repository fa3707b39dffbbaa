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
