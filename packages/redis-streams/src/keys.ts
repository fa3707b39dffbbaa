import type { BaseEvent } from '@herald/core';

/**
 * Where a bus keeps things. Each partition's stream carries its own hash tag
 * (`{<prefix><n>}`), so on Redis Cluster partitions spread over slots and
 * masters while every command on one stream names keys of one slot. The
 * dead-letter list and hash share one tag, so their MULTI and script work on
 * a Cluster too.
 */
export class KeyLayout {
  readonly streams: readonly string[];
  /** Passed to the shared dead-letter store, which appends `dead-letters` and `dead-letters:records`. */
  readonly deadLetterPrefix: string;

  constructor(readonly prefix: string, partitions: number) {
    this.streams = Array.from({ length: partitions }, (_, i) => `${prefix}stream:{${prefix}${i}}`);
    this.deadLetterPrefix = `${prefix}{${prefix}dl}:`;
  }

  /** The partition of an event: by aggregateId (one aggregate, one stream, in order), else by type. */
  streamOf(event: BaseEvent): string {
    const streams = this.streams;
    if (streams.length === 1) return streams[0]!;
    const aggregateId = (event as { aggregateId?: unknown }).aggregateId;
    return streams[fnv1a(typeof aggregateId === 'string' ? aggregateId : event.type) % streams.length]!;
  }
}

/** 32-bit FNV-1a: cheap and stable across processes and versions (the partition of an aggregate must never move). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The Redis consumer group of a subscription: the Herald group's own name, or one per ungrouped subscription. */
export function groupNameOf(group: string | undefined, subscriptionId: string): string {
  return group ?? `~sub:${subscriptionId}`;
}
