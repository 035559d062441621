// A small bounded cache that evicts the least recently used entry first, approximately. Map keeps
// insertion order, so the first key is the one inserted or refreshed longest ago. A hit refreshes
// its entry (delete and re-insert) only once a quarter of the capacity has been inserted since:
// a hot key costs one lookup per hit instead of three, and a key hit at least once every
// capacity/2 insertions is still never the one evicted. Capacity 0 caches nothing.

interface Slot<V> {
  readonly value: V;
  /** The insertion count when this entry was last put at the young end. */
  stamp: number;
}

export class LruCache<K, V> {
  private readonly entries = new Map<K, Slot<V>>();
  private insertions = 0;

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const slot = this.entries.get(key);
    if (slot === undefined) return undefined;
    if (this.insertions - slot.stamp > this.capacity / 4) {
      this.entries.delete(key);
      this.entries.set(key, slot);
      slot.stamp = this.insertions;
    }
    return slot.value;
  }

  set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, stamp: ++this.insertions });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
