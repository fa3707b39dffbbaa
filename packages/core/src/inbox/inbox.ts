/**
 * Where an idempotent handler records which events it has handled. A key moves
 * through: absent → claimed (while a handler runs, for at most `leaseMs`) →
 * done (for `ttlMs`); a failed handler releases its claim, leaving no record.
 */
export interface InboxStore {
  /**
   * Claims `key` for a handler run: 'claimed' when it was absent (the caller must
   * then complete or release it), 'done' when it was handled, 'busy' when another
   * run holds the claim.
   */
  claim(key: string, leaseMs: number): Promise<'claimed' | 'done' | 'busy'>;
  /** Records `key` as handled for `ttlMs` (until then duplicates are skipped). */
  complete(key: string, ttlMs: number): Promise<void>;
  /** Drops the claim of a run that failed, so the next delivery runs the handler. */
  release(key: string): Promise<void>;
  close?(): Promise<void>;
}

/** An inbox in process memory: for one process (and tests). Expired entries are dropped as they are met. */
export class InMemoryInbox implements InboxStore {
  private readonly entries = new Map<string, { done: boolean; expiresAt: number }>();
  private readonly now: () => number;

  /** `now`: the clock expiry is judged by (tests pass their own). Default Date.now. */
  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  async claim(key: string, leaseMs: number): Promise<'claimed' | 'done' | 'busy'> {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expiresAt > now) return entry.done ? 'done' : 'busy';
    this.entries.set(key, { done: false, expiresAt: now + leaseMs });
    return 'claimed';
  }

  async complete(key: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { done: true, expiresAt: this.now() + ttlMs });
  }

  async release(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry !== undefined && !entry.done) this.entries.delete(key);
  }

  /** Entries currently held (expired ones included until met). */
  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {}
}
