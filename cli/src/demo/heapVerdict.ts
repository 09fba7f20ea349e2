/**
 * The demo's verdict on the pages' heap.
 *
 * A tab's V8 heap after GC is not flat even when every remote object is released: V8 grows some
 * caches once to their full size (the small-integer-to-string cache: 64 KB), compiles optimized
 * code for the shop's and the crawler's functions, and keeps their feedback — ~85 KB per tab over
 * the first few hundred pages through chrome-remote-interface (~190 KB through playwright, whose
 * injected script warms up too), then flat (docs/RELIABILITY.md, "5. What the pages' heap does on a
 * long crawl"). Against a ~0.75 MB tab that is +11%, so "back within 10% of where it started" said
 * "leak" for crawls that released everything. What a leak adds instead grows with every object left
 * unreleased. So the verdict compares like with like: the crawl's growth against what its remote
 * objects would hold if unreleased — one object's worth measured in the same run, on the same site,
 * in the same browser ({@link HeapFigures.heldBytesPerObject}) — allowing {@link ALLOWED_SHARE} of it,
 * and never less than V8's one-time growth ({@link ONE_TIME_BYTES_PER_TAB} per tab).
 */

/** The share of what the crawl's objects would hold unreleased that its heap may grow by and still pass. */
export const ALLOWED_SHARE = 0.1;

/**
 * Growth allowed per tab whatever the crawl's length: V8's and the client's one-time growth (caches
 * grown to full size, optimized code), measured at ≤ 90 KB per tab through chrome-remote-interface and
 * ≤ 200 KB through playwright. A leak smaller than this — about one page of 200 products per tab —
 * the heap cannot tell from it (and each tab's last page is on screen, its objects in use anyway).
 */
export const ONE_TIME_BYTES_PER_TAB = 256 * 1024;

/** What the verdict is made from. */
export interface HeapFigures {
  /** The crawl tabs' V8 heap after GC, summed: before the crawl (after the warm-up) and after its releases. */
  readonly beforeBytes: number;
  readonly afterBytes: number;
  /** What one remote object left unreleased holds in a tab's V8 heap, measured before the crawl. */
  readonly heldBytesPerObject: number;
  /** Tabs crawling (each grows by V8's one-time growth). */
  readonly tabs: number;
}

/** The verdict, with the figures it rests on. */
export interface HeapVerdict {
  /** The library counted every remote object released **and** the heap shows it. */
  readonly everyObjectReleased: boolean;
  /** (after − before) ÷ remote objects made; 0 when none were made. */
  readonly growthBytesPerObject: number;
  /** growthBytesPerObject ÷ heldBytesPerObject: 0 when everything went, ~1 when nothing did. */
  readonly shareOfHeld: number;
  /** Growth allowed: the larger of {@link ALLOWED_SHARE} of what the objects would hold and the one-time allowance. */
  readonly allowedBytes: number;
  /** One line for the summary. */
  readonly text: string;
}

/**
 * Judges a crawl: `objects` remote objects made, `released` of them counted released, with
 * `release` false for `--no-release`. Every object released needs both the counters (each release
 * answered by Chrome) and the effect (growth within {@link HeapVerdict.allowedBytes}).
 * `--no-release` fails at every length: its objects were never released, which the counters say
 * even on a crawl too short for the heap to show it.
 */
export function heapVerdict(heap: HeapFigures, crawl: { readonly objects: number; readonly released: number; readonly release: boolean }): HeapVerdict {
  const { objects, released, release } = crawl;
  const growth = heap.afterBytes - heap.beforeBytes;
  const growthBytesPerObject = objects > 0 ? growth / objects : 0;
  const held = heap.heldBytesPerObject;
  const shareOfHeld = held > 0 ? growthBytesPerObject / held : Number.NaN;
  const allowedBytes = Math.max(ALLOWED_SHARE * Math.max(0, held) * objects, ONE_TIME_BYTES_PER_TAB * heap.tabs);
  const figures = { growthBytesPerObject, shareOfHeld, allowedBytes };
  if (objects === 0) return { everyObjectReleased: true, ...figures, text: 'no remote objects were made' };
  if (!(held > 0)) {
    return { everyObjectReleased: false, ...figures, text: `cannot tell: an unreleased object measured ${fmt(held)} B (the measurement before the crawl failed)` };
  }
  const perObject = `${fmt(growthBytesPerObject)} B per remote object; an unreleased one holds ${fmt(held)} B`;
  const share = `${(shareOfHeld * 100).toFixed(1)}% of that`;
  const heapBack = growth <= allowedBytes;
  if (!release) {
    return {
      everyObjectReleased: false,
      ...figures,
      text: heapBack
        ? `${perObject}: the remote objects were never released (--no-release); the crawl was too short for the heap to show it (each tab's last page is on screen, its objects in use)`
        : `${perObject} (${share}): the remote objects were never released (--no-release) — run without it to see the heap come back`,
    };
  }
  if (released < objects) {
    return { everyObjectReleased: false, ...figures, text: `${perObject}: NOT every remote object was released — ${(objects - released).toLocaleString('en-US')} of ${objects.toLocaleString('en-US')} were not (see the outcomes above)` };
  }
  return heapBack
    ? { everyObjectReleased: true, ...figures, text: `${perObject}: every remote object was released` }
    : { everyObjectReleased: false, ...figures, text: `${perObject} (${share}): NOT back — Chrome answered every release, yet the pages grew ${kb(growth)}, more than the ${kb(allowedBytes)} allowed` };
}

function kb(bytes: number): string {
  return `${Math.round(bytes / 1024).toLocaleString('en-US')} KB`;
}

function fmt(bytes: number): string {
  return Math.abs(bytes) >= 100 ? Math.round(bytes).toLocaleString('en-US') : bytes.toFixed(1);
}
