/**
 * A FIFO queue with O(1) amortized `push` and `shift`.
 *
 * Why not a plain array: `Array.prototype.shift` is O(n), so a per-target backlog of a million
 * releases behind a stalled target would turn every dequeue quadratic. Here the head moves forward
 * and the consumed prefix is cut off once it is at least half the array.
 */
export class ReleaseQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Slots the backing array holds, consumed ones included (what compaction keeps bounded). */
  get heldSlots(): number {
    return this.#items.length;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest item, without removing it. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined; // let it be collected
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const rest = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return rest;
  }

  /** Removes and returns the items `matches` picks, oldest first; the others keep their order. */
  extract(matches: (item: T) => boolean): T[] {
    const picked: T[] = [];
    const kept: T[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i] as T;
      (matches(item) ? picked : kept).push(item);
    }
    this.#items = kept;
    this.#head = 0;
    return picked;
  }
}
