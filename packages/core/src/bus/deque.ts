/** FIFO queue with O(1) push/shift/unshift, for per-subscription buffers on hot paths. */
export class Deque<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  unshift(item: T): void {
    if (this.head > 0) this.items[--this.head] = item;
    else this.items.unshift(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      // Emptied: start again at the front rather than grow a dead prefix.
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      // Compact once the dead prefix dominates, keeping shift amortised O(1).
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** The first item, left in place. */
  peek(): T | undefined {
    return this.items[this.head];
  }

  /** The items, first to last, as a new array; the deque is unchanged. */
  toArray(): T[] {
    return this.items.slice(this.head) as T[];
  }

  drain(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return rest;
  }
}
