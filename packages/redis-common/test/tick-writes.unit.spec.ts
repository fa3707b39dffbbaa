import { describe, expect, it } from 'vitest';
import type { RedisClient } from '../src/index.js';
import { TickWrites } from '../src/index.js';

/** A client whose socket counts corks and records what is written while it is corked or not. */
function fakeClient() {
  const socket = {
    corked: 0,
    flushes: [] as string[][],
    buffered: [] as string[],
    cork() {
      this.corked++;
    },
    uncork() {
      this.corked--;
      if (this.corked === 0) this.flushes.push(this.buffered.splice(0));
    },
    write(chunk: string) {
      if (this.corked > 0) this.buffered.push(chunk);
      else this.flushes.push([chunk]);
    },
  };
  return { client: { stream: socket } as unknown as RedisClient, socket };
}

describe('TickWrites', () => {
  it('sends the commands of one tick, microtasks included, in one write', async () => {
    // Given a client and its coalescer
    const { client, socket } = fakeClient();
    const writes = new TickWrites(client);
    const send = (command: string) => {
      writes.hold();
      socket.write(command);
    };
    // When commands are sent in one tick, some from microtasks (as replies let more publishes through)
    send('a');
    send('b');
    await Promise.resolve().then(() => send('c'));
    // Then nothing has left yet: the socket is held once, not once per command
    expect(socket.corked).toBe(1);
    expect(socket.flushes).toEqual([]);
    // When the tick's work is done, Then all three leave in one write
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(socket.corked).toBe(0);
    expect(socket.flushes).toEqual([['a', 'b', 'c']]);
    // And the next tick's commands form a write of their own
    send('d');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(socket.flushes).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('does nothing for a client without a socket of its own (a Cluster)', () => {
    // Given a client without a stream, When hold is called, Then nothing throws
    expect(() => new TickWrites({} as RedisClient).hold()).not.toThrow();
  });
});
