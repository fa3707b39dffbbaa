import type { EventBus, InboxStore, TransportCapabilities } from '@herald/core';
import type { CaseSelection } from './emit-suite.js';

export interface EventBusConformanceOptions extends CaseSelection {
  name: string;
  /** A fresh, isolated bus (unique prefix/exchange). Called per test; the suite closes what it creates. */
  create: () => EventBus | Promise<EventBus>;
  /** Overrides of bus.capabilities used to pick cases (defaults: the bus's own capabilities). */
  capabilities?: Partial<TransportCapabilities>;
  /** Puts raw bytes on the wire where a subscriber of `type` on `bus` receives them (malformed-message cases). */
  injectRaw?: (bus: EventBus, type: string, raw: Uint8Array | string) => Promise<void>;
  /** Fault cases, run only when given. */
  faults?: { killConnections?: (bus: EventBus) => Promise<void>; restartServer?: () => Promise<void> };
  /** Bound for every wait in the suite. Default 10 s. */
  timeoutMs?: number;
  /**
   * Inboxes the idempotent-consumer case also runs with, beside core's `InMemoryInbox` (e.g. a
   * `RedisInbox` under a unique prefix). Each is created per case and closed after it when it has `close`.
   */
  inboxes?: Record<string, () => InboxStore & { close?: () => Promise<void> }>;
  /** Scale for the bulk cases (10,000 publishes); e.g. 0.2 on slow transports. Default 1. */
  scale?: number;
}
