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

  it('holds every node connection of a Cluster for the tick', async () => {
    // Given a Cluster-like client with two node connections, one not connected yet
    const a = fakeClient().socket;
    const b = fakeClient().socket;
    const cluster = { nodes: () => [{ stream: a }, { stream: b }, {}] } as unknown as RedisClient;
    const writes = new TickWrites(cluster);
    // When commands go to both nodes in one tick
    writes.hold();
    a.write('x');
    writes.hold();
    b.write('y');
    // Then both sockets are held once, and each sends its commands in one write at the end of the tick
    expect([a.corked, b.corked]).toEqual([1, 1]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect([a.flushes, b.flushes]).toEqual([[['x']], [['y']]]);
  });

  it('does nothing for a client without sockets', () => {
    // Given a client with no socket and no nodes, When hold is called, Then nothing throws
    expect(() => new TickWrites({} as RedisClient).hold()).not.toThrow();
  });
});
