/** What a subscription holds of one stream entry. */
export interface HeldEntry {
  stream: string;
  id: string;
}

/**
 * Entries a subscription read and Redis has not confirmed acknowledged, by stream then id. Keyed by the
 * strings the reply parser made, so a look-up hashes no new string (a `<stream> <id>` key cost a
 * concatenation and a fresh hash on every read and every acknowledgement).
 */
export class HeldEntries<E extends HeldEntry> {
  private readonly byStream = new Map<string, Map<string, E>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the entry; false when one with its stream and id is already held. */
  add(entry: E): boolean {
    let ids = this.byStream.get(entry.stream);
    if (!ids) {
      ids = new Map();
      this.byStream.set(entry.stream, ids);
    }
    if (ids.has(entry.id)) return false;
    ids.set(entry.id, entry);
    this.count++;
    return true;
  }

  has(entry: HeldEntry): boolean {
    return this.byStream.get(entry.stream)?.has(entry.id) ?? false;
  }

  /** Removes the entry; false when it was not held. */
  delete(entry: HeldEntry): boolean {
    if (!this.byStream.get(entry.stream)?.delete(entry.id)) return false;
    this.count--;
    return true;
  }

  /** The held ids of each stream that holds any. */
  *idsByStream(): IterableIterator<[string, string[]]> {
    for (const [stream, ids] of this.byStream) if (ids.size > 0) yield [stream, [...ids.keys()]];
  }
}
