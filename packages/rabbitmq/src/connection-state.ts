import { ConnectionStateEmitter, type ConnectionState, type Logger } from '@herald/core';

/**
 * The bus has two connections (publishing and consuming, as RabbitMQ
 * recommends: a publisher the broker throttles must not hold up acks). Users
 * see one state: reconnecting or disconnected when either connection in use
 * is; otherwise connected once one is up (the other may still be opening for
 * the first time), else connecting.
 */
export class BusConnectionState {
  readonly emitter: ConnectionStateEmitter;
  private readonly roles = new Map<string, ConnectionState>();
  private frozen = false;

  constructor(logger: Logger) {
    this.emitter = new ConnectionStateEmitter(logger, 'rabbitmq', 'disconnected');
  }

  /** `endpoint`: the node the role's connection is about (connected to, or lost). */
  update(role: string, state: ConnectionState, error?: Error, endpoint?: string): void {
    this.roles.set(role, state);
    if (this.frozen) return;
    this.emitter.set(this.combined(), error, endpoint);
  }

  /** From `close()` on, connections going away are the bus closing, not news. */
  freeze(): void {
    this.frozen = true;
  }

  closed(): void {
    this.frozen = true;
    this.emitter.set('closed');
  }

  private combined(): ConnectionState {
    const states = [...this.roles.values()].filter((s) => s !== 'closed');
    if (states.length === 0) return 'disconnected';
    if (states.includes('reconnecting')) return 'reconnecting';
    if (states.includes('disconnected')) return 'disconnected';
    // A second connection opening for the first time while the other is up is not news.
    return states.includes('connected') ? 'connected' : 'connecting';
  }
}
