import { compilePattern, type CompiledPattern } from './pattern.js';

/**
 * Finds the entries whose pattern matches an event type without scanning all
 * of them on every publish: literal patterns are looked up by type, wildcard
 * patterns are tested once per type and the result is cached until the table
 * changes.
 */
export class RouteTable<T> {
  private readonly literal = new Map<string, T[]>();
  private readonly wildcard: Array<{ compiled: CompiledPattern; entry: T }> = [];
  private readonly routes = new Map<string, readonly T[]>();
  private static readonly ROUTE_CACHE_LIMIT = 10_000;

  add(pattern: string, entry: T): void {
    const compiled = compilePattern(pattern);
    if (compiled.literal) {
      const list = this.literal.get(pattern);
      if (list) list.push(entry);
      else this.literal.set(pattern, [entry]);
    } else {
      this.wildcard.push({ compiled, entry });
    }
    this.routes.clear();
  }

  /** Removes `entry` as added under `pattern` (one occurrence); true when something was removed. */
  remove(pattern: string, entry: T): boolean {
    let removed = false;
    const list = this.literal.get(pattern);
    if (list) {
      const i = list.indexOf(entry);
      if (i >= 0) {
        list.splice(i, 1);
        removed = true;
        if (list.length === 0) this.literal.delete(pattern);
      }
    } else {
      // Only the wildcard entry added under this pattern: the same entry may be routed under others.
      const j = this.wildcard.findIndex((w) => w.entry === entry && w.compiled.pattern === pattern);
      if (j >= 0) {
        this.wildcard.splice(j, 1);
        removed = true;
      }
    }
    if (removed) this.routes.clear();
    return removed;
  }

  /** The entries matching `type`, each once, in the order they were added per kind. */
  match(type: string): readonly T[] {
    const cached = this.routes.get(type);
    if (cached) return cached;
    const out: T[] = [];
    const lit = this.literal.get(type);
    if (lit) out.push(...lit);
    for (const w of this.wildcard) if (w.compiled.matches(type)) out.push(w.entry);
    if (this.routes.size >= RouteTable.ROUTE_CACHE_LIMIT) this.routes.clear();
    this.routes.set(type, out);
    return out;
  }

  get size(): number {
    let n = this.wildcard.length;
    for (const list of this.literal.values()) n += list.length;
    return n;
  }
}
