/**
 * A binary min-heap of timestamped items, used by the in-memory indexes (linkage, velocity) to forget what has left
 * their time window without ever scanning the whole index: each item is pushed once when it is applied and popped
 * once when it expires, O(log n) each. Being a heap rather than a FIFO, it pops in exact time order even when the
 * group-commit writer applies batches slightly out of order, so eviction is exact: the gang forest relies on that.
 */
export class ExpiryHeap<T> {
  private readonly items: T[] = [];
  private readonly times: number[] = [];

  /** Items waiting (not yet popped). */
  get size(): number {
    return this.items.length;
  }

  push(item: T, at: number): void {
    const items = this.items;
    const times = this.times;
    let i = items.length;
    items.push(item);
    times.push(at);
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (times[up]! <= at) break;
      items[i] = items[up]!;
      times[i] = times[up]!;
      i = up;
    }
    items[i] = item;
    times[i] = at;
  }

  /** Pops every item whose time is `<= cutoff`, oldest first, handing each to `evict`. Returns how many. */
  popExpired(cutoff: number, evict: (item: T, at: number) => void): number {
    let popped = 0;
    while (this.times.length > 0 && this.times[0]! <= cutoff) {
      const item = this.items[0]!;
      const at = this.times[0]!;
      this.removeTop();
      popped++;
      evict(item, at);
    }
    return popped;
  }

  private removeTop(): void {
    const items = this.items;
    const times = this.times;
    const lastItem = items.pop()!;
    const lastTime = times.pop()!;
    const n = items.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && times[r]! < times[l]! ? r : l;
      if (times[c]! >= lastTime) break;
      items[i] = items[c]!;
      times[i] = times[c]!;
      i = c;
    }
    items[i] = lastItem;
    times[i] = lastTime;
  }
}
