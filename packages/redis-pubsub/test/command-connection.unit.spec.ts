import { EventEmitter } from 'node:events';
import { createRedactor } from '@herald/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CommandConnection, type CommandFailure } from '../src/command-connection.js';
import type { ManagedConnection } from '../src/managed-connection.js';

/** A stand-in for the bus's command connection: publishes resolve when the test says so. */
function fakeConnection(ready = true) {
  const client = new EventEmitter() as EventEmitter & { publish: (channel: string, payload: string) => Promise<number> };
  const replies: Array<{ resolve: (n: number) => void; reject: (e: Error) => void }> = [];
  client.publish = () =>
    new Promise<number>((resolve, reject) => {
      replies.push({ resolve, reject });
    });
  const connection = {
    client,
    isReady: ready,
    whenReady: () => (connection.isReady ? Promise.resolve() : new Promise<void>(() => {})),
  };
  return { connection: connection as unknown as ManagedConnection, client, replies };
}

const failure = (error: Error, why: CommandFailure, context: string) => new Error(`${context}: ${why}: ${error.message}`);

describe('CommandConnection', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('resolves a publish with the reply, one timer for many publishes, none left holding the process', async () => {
    // Given
    const { connection, replies } = fakeConnection();
    const commands = new CommandConnection(connection, 5_000, createRedactor([]));
    const setTimer = vi.spyOn(globalThis, 'setTimeout');
    // When 50 publishes run one after another
    for (let i = 0; i < 50; i++) {
      const published = commands.publish('ch', `m${i}`, failure, `event ${i}`);
      replies.shift()!.resolve(i);
      // Then each resolves with Redis's reply
      await expect(published).resolves.toBe(i);
    }
    // Then one timer served them all, and it does not keep the process alive while idle
    expect(setTimer).toHaveBeenCalledTimes(1);
    const timer = setTimer.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    // And a publish under way holds it again
    const more = commands.publish('ch', 'more', failure, 'more');
    expect(timer.hasRef()).toBe(true);
    replies.shift()!.resolve(1);
    await more;
    expect(timer.hasRef()).toBe(false);
    commands.dispose();
  });

  it('rejects a publish Redis never answers within the bound, also after an idle spell', async () => {
    // Given a connection that answered once, then went idle
    const { connection, replies } = fakeConnection();
    const commands = new CommandConnection(connection, 100, createRedactor([]));
    const first = commands.publish('ch', 'a', failure, 'first');
    replies.shift()!.resolve(1);
    await first;
    await new Promise((resolve) => setTimeout(resolve, 60));
    // When a second publish gets no reply
    const started = performance.now();
    const second = commands.publish('ch', 'b', failure, 'second');
    // Then it rejects as a timeout, no sooner than the bound and not much later
    await expect(second).rejects.toThrow('second: timeout: Redis did not reply within 100 ms');
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(99);
    expect(waited).toBeLessThan(1_000);
  });

  it('rejects what was sent as lost when the connection closes, and what was not yet sent as a timeout', async () => {
    // Given one publish sent and one waiting for a connection that never comes back
    const { connection, client } = fakeConnection();
    const commands = new CommandConnection(connection, 100, createRedactor([]));
    const sent = commands.publish('ch', 'a', failure, 'sent');
    (connection as unknown as { isReady: boolean }).isReady = false;
    const waiting = commands.publish('ch', 'b', failure, 'waiting');
    // When the connection drops
    client.emit('close');
    // Then
    await expect(sent).rejects.toThrow('sent: lost: the connection to Redis was lost before it replied');
    await expect(waiting).rejects.toThrow('waiting: timeout: the connection was not ready within 100 ms');
  });

  it('ignores replies that come after the timeout, and keeps counting what is pending', async () => {
    // Given two publishes that time out
    const { connection, replies } = fakeConnection();
    const commands = new CommandConnection(connection, 50, createRedactor([]));
    const first = commands.publish('ch', 'a', failure, 'first');
    const second = commands.publish('ch', 'b', failure, 'second');
    await expect(first).rejects.toThrow(/first: timeout/);
    await expect(second).rejects.toThrow(/second: timeout/);
    await commands.whenIdle();
    // When their replies arrive late, and another publish follows
    replies.shift()!.resolve(1);
    replies.shift()!.resolve(2);
    const third = commands.publish('ch', 'c', failure, 'third');
    const idle = commands.whenIdle();
    replies.shift()!.resolve(3);
    // Then the late replies change nothing, and the count of pending commands is still right
    await expect(third).resolves.toBe(3);
    await expect(idle).resolves.toBeUndefined();
  });
});
