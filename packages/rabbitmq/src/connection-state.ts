import type { ConnectionState, Logger } from '@herald/core';
import { combinedConnectionState, ConnectionStateEmitter } from '@herald/core/transport';

/**
 * The bus has two connections (publishing and consuming, as RabbitMQ
 * recommends: a publisher the broker throttles must not hold up acks). Users
 * see one state, by core's rule (`combinedConnectionState`); disconnected
 * before either is in use.
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
    return combinedConnectionState(this.roles.values()) ?? 'disconnected';
  }
}
