import type { HandlePage } from '../../src/internal/clients';
import { WatchedHandles } from '../../src/internal/watched';

/** A page as the client adapters describe it; `close()` fires what `whenClosed` was given. */
function page(url: string): HandlePage & { close(): void } {
  const listeners: (() => void)[] = [];
  return { key: {}, url: () => url, whenClosed: (listener) => listeners.push(listener), close: () => listeners.forEach((l) => l()) };
}

describe('WatchedHandles: the live count of watched handles, per page', () => {
  it('lists pages most watched first, whatever order they came in; a handle of no known page counts under the url ""', () => {
    const watched = new WatchedHandles();
    const few = page('https://few.example/');
    const many = page('https://many.example/');
    watched.add(few);
    for (let i = 0; i < 3; i++) watched.add(many);
    watched.add(null);
    watched.add(null);
    expect(watched.byPage()).toEqual([
      { page: 2, url: 'https://many.example/', watched: 3 },
      { page: 3, url: '', watched: 2 },
      { page: 1, url: 'https://few.example/', watched: 1 },
    ]);
    expect(watched.total).toBe(6);
    expect(Object.isFrozen(watched.byPage())).toBe(true);
  });

  it('counts a handle out once, however often it is called; a closed page is counted out as a whole', () => {
    const watched = new WatchedHandles();
    const closing = page('https://closing.example/');
    const outs = [watched.add(closing), watched.add(closing)];
    const kept = watched.add(null);
    outs[0]!();
    outs[0]!();
    expect(watched.byPage()).toEqual([
      { page: 1, url: 'https://closing.example/', watched: 1 },
      { page: 2, url: '', watched: 1 },
    ]);
    closing.close();
    outs[1]!(); // already counted out with its page
    expect(watched.byPage()).toEqual([{ page: 2, url: '', watched: 1 }]);
    kept();
    expect(watched.total).toBe(0);
    expect(watched.byPage()).toEqual([]);
  });

  it('tells two pages on one address apart: each keeps its own number while it has watched handles', () => {
    const watched = new WatchedHandles();
    const [tabA, tabB] = [page('https://shop.example/'), page('https://shop.example/')];
    watched.add(tabA);
    watched.add(tabB);
    watched.add(tabB);
    expect(watched.byPage()).toEqual([
      { page: 2, url: 'https://shop.example/', watched: 2 },
      { page: 1, url: 'https://shop.example/', watched: 1 },
    ]);
    watched.add(tabA);
    watched.add(tabA);
    expect(watched.byPage().map((p) => p.page)).toEqual([1, 2]); // the order moved, the numbers did not
  });
});
