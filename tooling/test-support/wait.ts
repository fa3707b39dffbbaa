/**
 * Polls `condition` until it returns something truthy and resolves with it; rejects, naming
 * `what`, once `timeoutMs` has passed. A check that throws counts as "not yet"; the last
 * error is quoted in the timeout message.
 */
export async function until<T>(condition: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<Exclude<NonNullable<T>, false>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Exclude<NonNullable<T>, false>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
