import type { WatchedPage } from '../stats.js';
import type { HandlePage } from './clients/index.js';

/** Watched handles whose page could not be told are counted under this one. */
const UNKNOWN_PAGE: HandlePage = { key: {}, url: () => '' };

const NONE: readonly WatchedPage[] = Object.freeze([]);

/**
 * The live count of watched client handles not yet disposed (nor collected), per page: the leak
 * net's view while it waits. Where a client keeps its handles reachable (playwright), this count is
 * all there is to see a leak growing — the garbage collector never gets to them. @internal
 */
export class WatchedHandles {
  readonly #pages = new Map<object, { readonly page: HandlePage; readonly number: number; count: number }>();
  /** The number the next page is given. */
  #nextNumber = 1;
  #total = 0;

  get total(): number {
    return this.#total;
  }

  /** One more watched handle on `page`; returns the function that counts it out (once). */
  add(page: HandlePage | null): () => void {
    const record = page ?? UNKNOWN_PAGE;
    let entry = this.#pages.get(record.key);
    if (entry === undefined) {
      entry = { page: record, number: this.#nextNumber++, count: 0 };
      this.#pages.set(record.key, entry);
      record.whenClosed?.(() => this.#closed(record.key));
    }
    entry.count++;
    this.#total++;
    const counted = entry;
    let out = false;
    return () => {
      if (out) return;
      out = true;
      // A page already closed was counted out as a whole.
      if (this.#pages.get(record.key) !== counted) return;
      counted.count--;
      this.#total--;
      if (counted.count === 0) this.#pages.delete(record.key);
    };
  }

  /** The client disposed every handle of a closed page: none of them is waiting any more. */
  #closed(key: object): void {
    const entry = this.#pages.get(key);
    if (entry === undefined) return;
    this.#pages.delete(key);
    this.#total -= entry.count;
  }

  /** Pages with watched handles, most first; a frozen snapshot. */
  byPage(): readonly WatchedPage[] {
    if (this.#pages.size === 0) return NONE;
    const pages: WatchedPage[] = [];
    for (const { page, number, count } of this.#pages.values()) pages.push(Object.freeze({ page: number, url: page.url(), watched: count }));
    pages.sort((a, b) => b.watched - a.watched);
    return Object.freeze(pages);
  }
}
