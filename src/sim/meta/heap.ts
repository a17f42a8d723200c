/**
 * @module sim/meta/heap
 * A binary min-heap on `due` (ties broken by insertion order). The status scheduler and the
 * webhook retry queue both need "everything due by now" over tens of thousands of entries;
 * one heap plus one timer beats a `setTimeout` per entry by a wide margin.
 */

export interface Timed {
  due: number;
}

interface Slot<T> {
  item: T;
  due: number;
  seq: number;
}

export class MinHeap<T extends Timed> {
  private readonly slots: Slot<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.slots.length;
  }

  push(item: T): void {
    const slots = this.slots;
    slots.push({ item, due: item.due, seq: this.seq++ });
    let i = slots.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(slots[i] as Slot<T>, slots[parent] as Slot<T>)) break;
      swap(slots, i, parent);
      i = parent;
    }
  }

  /** Due time of the earliest entry, or `undefined` when empty. */
  peekDue(): number | undefined {
    return this.slots[0]?.due;
  }

  /** Removes and returns the earliest entry if it is due at `now`. */
  popDue(now: number): T | undefined {
    const top = this.slots[0];
    if (!top || top.due > now) return undefined;
    const last = this.slots.pop() as Slot<T>;
    if (this.slots.length > 0) {
      this.slots[0] = last;
      this.siftDown(0);
    }
    return top.item;
  }

  /** Removes everything, returning the items in no particular order. */
  drain(): T[] {
    const items = this.slots.map((s) => s.item);
    this.slots.length = 0;
    return items;
  }

  private siftDown(i: number): void {
    const slots = this.slots;
    const n = slots.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && less(slots[l] as Slot<T>, slots[m] as Slot<T>)) m = l;
      if (r < n && less(slots[r] as Slot<T>, slots[m] as Slot<T>)) m = r;
      if (m === i) return;
      swap(slots, i, m);
      i = m;
    }
  }
}

function less<T>(a: Slot<T>, b: Slot<T>): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i] as T;
  a[i] = a[j] as T;
  a[j] = t;
}
