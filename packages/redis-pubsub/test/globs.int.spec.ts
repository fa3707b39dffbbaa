import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { globMatches, globsFor } from '../src/globs.js';
import { REDIS_URL, unique } from './support/redis.js';
import { until } from '../../../tooling/test-support/wait.js';

describe('glob matching agrees with Redis', () => {
  it('matches exactly the (glob, channel) pairs Redis delivers', async () => {
    // Given every glob of a set of patterns PSUBSCRIBEd on a raw connection, under an awkward prefix
    const { prefix } = unique('globs');
    const weird = `${prefix}[x]?*\\`;
    const patterns = ['a', 'a.*', '*.b', 'a.#', '#.b', 'a.#.b', '#.a.#', 'a.*.#', '#', 'a.#.b.#.c.#'];
    const globs = [...new Map(patterns.flatMap((p) => globsFor(weird, p)).map((g) => [g.text, g])).values()];
    const sub = new Redis(REDIS_URL);
    const pub = new Redis(REDIS_URL);
    const seen = new Set<string>();
    sub.on('pmessageBuffer', (glob: string, channel: Buffer) => seen.add(`${glob} ${channel.toString()}`));
    try {
      await sub.psubscribe(...globs.map((g) => g.text));

      // When these channels are published to
      const types = ['a', 'b', 'a.b', 'a.c', 'c.b', 'a.b.c', 'a.x.b', 'x.a.y', 'a.a', 'ab', 'a.x.b.y.c', 'end'];
      for (const t of types) await pub.publish(weird + t, 'x');
      await pub.publish(`${prefix}other`, 'x');
      await pub.publish(weird + 'end', 'x');
      await until(() => [...seen].some((s) => s.endsWith(`${weird}end`)), 'the last message');

      // Then Redis delivered through a glob exactly when globMatches says it matches
      const expected = new Set<string>();
      for (const g of globs) for (const t of types) if (globMatches(g, weird + t)) expected.add(`${g.text} ${weird}${t}`);
      expect([...seen].sort()).toEqual([...expected].sort());
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  });
});
