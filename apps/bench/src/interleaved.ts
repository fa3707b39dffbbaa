import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full GC between measured runs, so neither contender pays for the garbage
 * the previous run left behind (a fresh store per run means the last run's whole
 * store becomes garbage). Node exposes `gc` only with --expose-gc; the flag can
 * be set at run time and `gc` read from a new context.
 */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as (() => void) | undefined;

/**
 * Best of `runs` for two contenders measured turn about (A, B, B, A, …) rather
 * than all of A then all of B, so a change in machine load during the scenario
 * hits both sides alike instead of skewing their ratio.
 */
export async function interleavedBestOf(
  runs: number,
  herald: () => Promise<number>,
  baseline: () => Promise<number>,
): Promise<{ herald: number; baseline: number }> {
  let bestHerald = -Infinity;
  let bestBaseline = -Infinity;
  const measure = async (fn: () => Promise<number>) => {
    collect?.();
    return fn();
  };
  for (let i = 0; i < runs; i++) {
    // Alternate who goes first, so neither always runs right after the other.
    if (i % 2 === 0) {
      bestHerald = Math.max(bestHerald, await measure(herald));
      bestBaseline = Math.max(bestBaseline, await measure(baseline));
    } else {
      bestBaseline = Math.max(bestBaseline, await measure(baseline));
      bestHerald = Math.max(bestHerald, await measure(herald));
    }
  }
  return { herald: bestHerald, baseline: bestBaseline };
}
