import type { DomainEvent } from '@herald/core';
import { deepEqual } from '../assert/deep-equal.js';

/** What a scenario compares: the event's type, and its data unless the expectation leaves data out. */
export interface ExpectedEvent {
  type: string;
  /** Omit to check the type only. */
  data?: Record<string, unknown>;
}

export interface ComparableEvent {
  type: string;
  data?: Record<string, unknown>;
}

/** Strips ids, timestamps, versions and metadata: only type and data remain. */
export function comparable(events: readonly DomainEvent[]): ComparableEvent[] {
  return events.map((e) => ({ type: e.type, data: e.data }));
}

/**
 * The expectations in comparable form. Where an expectation leaves `data` out,
 * the actual event's data at that position is used, so the diff shows only
 * real differences.
 */
export function comparableExpected(expected: readonly ExpectedEvent[], actual: readonly ComparableEvent[]): ComparableEvent[] {
  return expected.map((e, i) => {
    if (e.data !== undefined) return { type: e.type, data: e.data };
    const same = actual[i];
    return same !== undefined && same.type === e.type ? { type: e.type, data: same.data } : { type: e.type };
  });
}

export function sameEvents(actual: readonly ComparableEvent[], expected: readonly ComparableEvent[]): boolean {
  return deepEqual(actual, expected);
}

/**
 * One line per position that differs, e.g.
 * `#1 expected account.deposited {"amount":11}` / `   actual   account.deposited {"amount":10}`.
 */
export function describeDifferences(actual: readonly ComparableEvent[], expected: readonly ComparableEvent[]): string {
  const lines: string[] = [];
  for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
    const a = actual[i];
    const e = expected[i];
    if (a !== undefined && e !== undefined && deepEqual(a, e)) continue;
    lines.push(`  #${i + 1} expected ${show(e)}`);
    lines.push(`  ${' '.repeat(String(i + 1).length + 1)} actual   ${show(a)}`);
  }
  return lines.join('\n');
}

function show(event: ComparableEvent | undefined): string {
  if (event === undefined) return '(no event)';
  return event.data === undefined ? event.type : `${event.type} ${stringify(event.data)}`;
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

export function typeList(events: readonly { type: string }[]): string {
  return events.length === 0 ? 'no events' : `[${events.map((e) => e.type).join(', ')}]`;
}
