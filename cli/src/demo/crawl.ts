import type CDP from 'chrome-remote-interface';
import type { Browser as PlaywrightBrowser } from 'playwright-core';
import type { Browser as PuppeteerBrowser } from 'puppeteer-core';
import { BehaviorSubject, defer, from, lastValueFrom, merge, of, repeat, takeWhile, toArray, type Observable } from 'rxjs';
import { criSession } from 'cdp-release-batcher';
import { ReleaseBatcher } from 'cdp-release-batcher';
import type { CdpTarget } from 'cdp-release-batcher';
import { withRemoteObject } from 'cdp-release-batcher';
import { auditHeldObjects } from 'cdp-release-batcher';
import { heapAfterGc } from 'cdp-release-batcher/testing';
import { takeHeapSnapshot } from './heapSnapshot.js';

/** How far the crawl is. */
export interface CrawlProgress {
  readonly pagesDone: number;
  readonly pagesTotal: number;
  /** Remote objects the crawl made Chrome hold (lists, elements, prototypes). */
  readonly objects: number;
}

export interface CrawlOptions {
  readonly browser: CDP.Client;
  readonly siteUrl: string;
  readonly pages: number;
  readonly tabs: number;
  /** false: the same crawl, never releasing anything (shows the leak). */
  readonly release: boolean;
  readonly batcher: ReleaseBatcher;
  /**
   * Crawl through playwright-core's pages and handles instead of raw object ids: each product is a
   * playwright `ElementHandle` from `page.$$()`, watched (`batcher.watch`) and released as it is
   * (`batcher.release(handle)`). With `release: false` the handles are never disposed, and the
   * dashboards' live count of watched handles per page shows the leak growing.
   */
  readonly playwright?: PlaywrightBrowser | undefined;
  /** The same through puppeteer-core's pages and `ElementHandle`s (`page.$$()`). */
  readonly puppeteer?: PuppeteerBrowser | undefined;
  /**
   * How the crawl releases, when it does (the benchmark compares them): `batcher` (the default) hands
   * every object to the batcher as it is done; `await-each` awaits each release as it is done (the
   * element's `dispose()`, or `Runtime.releaseObject` for raw ids); `all-at-once` releases the page's
   * objects together once they are all done (`Promise.all` of them); `scope` makes each page's
   * objects in an object group of its own (`batcher.scope()`) and releases them with one
   * `Runtime.releaseObjectGroup` once the page is done (raw ids only: the clients' handles take no
   * group, and are released as with `batcher`).
   */
  readonly releaseBy?: ReleaseBy | undefined;
  /** Watch each client handle (`batcher.watch`) for the dashboards' live count (default true). */
  readonly watch?: boolean | undefined;
}

/** How a crawl releases what it is done with. */
export type ReleaseBy = 'batcher' | 'scope' | 'await-each' | 'all-at-once';

/** A product element as a client's handle (playwright-core's or puppeteer-core's `ElementHandle`). */
interface ProductHandle {
  evaluate(fn: (el: never) => unknown): Promise<unknown>;
  dispose(): Promise<void>;
}

type Answer = { result: { objectId?: string; value?: unknown }; internalProperties?: { value?: { objectId?: string } }[] };
type Send = (method: string, params?: object) => Promise<Answer>;

interface Tab {
  /** The page's product elements as client handles, when crawling through playwright-core or puppeteer-core. */
  readonly products?: () => Promise<ProductHandle[]>;
  /** Closes a client's page (else the target is closed over chrome-remote-interface). */
  readonly close?: () => Promise<void>;
  readonly targetId: string;
  readonly sessionId: string;
  readonly target: CdpTarget;
  readonly send: Send;
  /** Listens to one of the tab's CDP events; returns the unsubscribe. */
  readonly on: (event: string, listener: (params: never) => void) => () => void;
}

/** A client's page (puppeteer-core's or playwright-core's) and a CDP session of its own on it. */
interface ClientPage {
  goto(url: string): Promise<unknown>;
  $$(selector: string): Promise<unknown[]>;
  close(): Promise<void>;
}

/** The part of a client's CDP session a tab uses (puppeteer-core's and playwright-core's alike). */
interface ClientSession extends CdpTarget {
  send(method: string, params?: object): Promise<unknown>;
  on(event: string, listener: (params: never) => void): unknown;
  off(event: string, listener: (params: never) => void): unknown;
}

/**
 * A tab through a client: the page loads the shop and lists its products as the client's handles
 * (released through them); its own session (`session`) runs `loadPage()` and weighs the heap.
 */
async function clientTab(page: ClientPage, session: ClientSession, siteUrl: string): Promise<Tab> {
  const send = ((method: string, params: object = {}) => session.send(method, params)) as Send;
  const on: Tab['on'] = (event, listener) => {
    session.on(event, listener);
    return () => session.off(event, listener);
  };
  await page.goto(siteUrl);
  const { targetInfo } = (await session.send('Target.getTargetInfo')) as { targetInfo: { targetId: string } };
  return { products: () => page.$$('.product') as Promise<ProductHandle[]>, close: () => page.close(), targetId: targetInfo.targetId, sessionId: '', target: session, send, on };
}

/** Remote objects {@link DemoCrawl.measureHeldBytesPerObject} holds to measure one (~1 KB each: ~1 MB, far above the heap's noise). */
export const HELD_SAMPLE_OBJECTS = 1_000;

/** {@link DemoCrawl.measureHeldBytesPerObject}'s measurement. */
export interface HeldMeasure {
  /** Remote objects the unreleased page made. */
  readonly objects: number;
  /** The tab's V8 heap after GC with that page's objects released, and with them held. */
  readonly releasedBytes: number;
  readonly heldBytes: number;
  readonly bytesPerObject: number;
}

/** One tab's V8 heap (`Runtime.getHeapUsage`); after full collections (the testing kit's `heapAfterGc`) when `gc`. */
async function heapOf(tab: Tab, gc: boolean): Promise<number> {
  if (gc) return heapAfterGc(tab.send);
  return ((await tab.send('Runtime.getHeapUsage')) as unknown as { usedSize: number }).usedSize;
}

const EXTRACT = `function () {
  return { sku: this.dataset.sku, name: this.querySelector('.name').textContent, price: Number(this.querySelector('.price').textContent) };
}`;

/**
 * The demo's observable crawler: `tabs` tabs of the shop, `pages` product pages spread over them
 * (`mergeMap` with concurrency `tabs`). Per page it gets the product list as a remote object, reads
 * its elements as remote objects, extracts each with `Runtime.callFunctionOn`, and — unless
 * `release` is false — releases every one of them through the batcher: the list with
 * `withRemoteObject` (released however the page ends), the elements one by one as they are done.
 */
export class DemoCrawl {
  readonly progress$: BehaviorSubject<CrawlProgress>;
  readonly #options: CrawlOptions;
  #stopped = false;
  #tabs: Tab[] = [];
  #objects = 0;
  #pagesDone = 0;

  constructor(options: CrawlOptions) {
    this.#options = options;
    this.progress$ = new BehaviorSubject<CrawlProgress>({ pagesDone: 0, pagesTotal: options.pages, objects: 0 });
  }

  /** Opens the tabs on the shop and loads its first page in each (the warm-up before "heap before"). */
  async open(): Promise<void> {
    for (let i = 0; i < this.#options.tabs; i++) this.#tabs.push(await this.#openTab());
  }

  async #openTab(): Promise<Tab> {
    const { browser, siteUrl, playwright, puppeteer } = this.#options;
    if (puppeteer !== undefined) {
      const page = await puppeteer.newPage();
      return clientTab(page, (await page.createCDPSession()) as unknown as ClientSession, siteUrl);
    }
    if (playwright !== undefined) {
      const context = playwright.contexts()[0] ?? (await playwright.newContext());
      const page = await context.newPage();
      return clientTab(page, (await context.newCDPSession(page)) as unknown as ClientSession, siteUrl);
    }
    const { targetId } = await browser.Target.createTarget({ url: 'about:blank' });
    const { sessionId } = await browser.Target.attachToTarget({ targetId, flatten: true });
    const untyped = browser as unknown as {
      send(m: string, p: object, s: string): Promise<Answer>;
      once(e: string, l: () => void): void;
      on(e: string, l: (params: never) => void): void;
      off(e: string, l: (params: never) => void): void;
    };
    const send: Send = (method, params = {}) => untyped.send(method, params, sessionId);
    const on: Tab['on'] = (event, listener) => {
      const scoped = `${event}.${sessionId}`; // chrome-remote-interface's per-session event name
      untyped.on(scoped, listener);
      return () => untyped.off(scoped, listener);
    };
    await send('Page.enable');
    const loaded = new Promise<void>((resolve) => untyped.once(`Page.loadEventFired.${sessionId}`, resolve));
    await send('Page.navigate', { url: siteUrl });
    await loaded;
    return { targetId, sessionId, target: criSession(browser, sessionId), send, on };
  }

  async #closeTab(tab: Tab): Promise<void> {
    if (tab.close !== undefined) await tab.close().catch(() => undefined);
    else await this.#options.browser.Target.closeTarget({ targetId: tab.targetId }).catch(() => undefined);
  }

  /**
   * Crawls page 0 once in every tab with a batcher of its own, releasing everything, and waits for
   * those releases. The first crawl compiles the extraction code and warms V8's caches (~0.2 MB per
   * tab that stays); measuring "before" after it compares like with like. Not counted in progress.
   */
  async warmUp(batcher: ReleaseBatcher): Promise<void> {
    for (const tab of this.#tabs) await this.#crawlPage(tab, 0, batcher, true, () => undefined);
    await batcher.close();
  }

  /** The tabs' V8 heap, summed; after a full GC in each when `gc`. */
  async heap(gc: boolean): Promise<number> {
    let total = 0;
    for (const tab of this.#tabs) total += await heapOf(tab, gc);
    return total;
  }

  /** The target ids of the crawl's tabs. */
  targetIds(): string[] {
    return this.#tabs.map((tab) => tab.targetId);
  }

  /** Remote objects the tabs' inspectors hold, counted in a heap snapshot of each (`auditHeldObjects`). */
  async auditHeld(): Promise<number> {
    let held = 0;
    for (const tab of this.#tabs) held += (await auditHeldObjects(tab.target)).held;
    return held;
  }

  /** A heap snapshot of the first tab (DevTools JSON), after a full GC. */
  async snapshotFirstTab(): Promise<string> {
    const tab = this.#tabs[0];
    if (tab === undefined) throw new Error('no tab open');
    return takeHeapSnapshot(tab);
  }

  /**
   * What a remote object left unreleased holds in a page's V8 heap — on this site, in this browser,
   * through this client — measured rather than assumed, so that the heap verdict compares like with
   * like. In a tab of its own (closed afterwards): page 0 is crawled releasing everything, then the
   * shop shows another page (heap after GC: `releasedBytes`); then pages are crawled releasing nothing
   * until at least {@link HELD_SAMPLE_OBJECTS} remote objects are held (at most 100 pages), and the shop
   * shows that other page again (`heldBytes`). The difference per held object is what each kept alive:
   * its detached product card and the data the app hung on it.
   */
  async measureHeldBytesPerObject(): Promise<HeldMeasure> {
    const tab = await this.#openTab();
    const batcher = new ReleaseBatcher();
    try {
      const showOtherPage = (): Promise<unknown> => tab.send('Runtime.evaluate', { expression: 'loadPage(999999)', awaitPromise: true, returnByValue: true });
      await this.#crawlPage(tab, 0, batcher, true, () => undefined);
      await batcher.flush();
      await showOtherPage();
      const releasedBytes = await heapOf(tab, true);
      let objects = 0;
      for (let page = 0; objects < HELD_SAMPLE_OBJECTS && page < 100; page++) await this.#crawlPage(tab, page, batcher, false, (n) => (objects += n));
      await showOtherPage();
      const heldBytes = await heapOf(tab, true);
      return { objects, releasedBytes, heldBytes, bytesPerObject: (heldBytes - releasedBytes) / Math.max(1, objects) };
    } finally {
      await batcher.close();
      await this.#closeTab(tab);
    }
  }

  /**
   * Crawls every page; resolves with the number of products extracted. Stops early on {@link stop}.
   * Each tab is a worker stream that takes the next page number when it is free (`defer` + `repeat`,
   * merged): nothing is queued, so a crawl of a million pages holds no million-entry buffer (RxJS's
   * `mergeMap` queues with `Array.shift`, which a long queue turns quadratic) and a stop takes effect
   * at once.
   */
  async run(): Promise<number> {
    let nextPage = 1;
    const take = (): number | null => (this.#stopped || nextPage > this.#options.pages ? null : nextPage++);
    const worker = (tab: Tab): Observable<number> => defer(() => {
      const page = take();
      if (page === null) return of(null);
      const counted = (n: number): void => {
        this.#objects += n;
      };
      return from(this.#crawlPage(tab, page, this.#options.batcher, this.#options.release, counted).then((products) => this.#done(products)));
    }).pipe(
      repeat(),
      takeWhile((products): products is number => products !== null),
    );
    const counts = await lastValueFrom(merge(...this.#tabs.map(worker)).pipe(toArray()));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Takes no new page; pages under way finish. */
  stop(): void {
    this.#stopped = true;
  }

  /** Closes the tabs (their remaining objects go with them). */
  async close(): Promise<void> {
    for (const tab of this.#tabs) await this.#closeTab(tab);
    this.#tabs = [];
  }

  /** One page in one tab; `count` is told of every remote object made as it is made. Resolves with the products read. */
  async #crawlPage(tab: Tab, page: number, batcher: ReleaseBatcher, release: boolean, count: (objects: number) => void): Promise<number> {
    await tab.send('Runtime.evaluate', { expression: `loadPage(${page})`, awaitPromise: true, returnByValue: true });
    if (tab.products !== undefined) return this.#crawlHandles(await tab.products(), batcher, release, count);
    const by = this.#options.releaseBy ?? 'batcher';
    const releaseNow = (objectId: string): Promise<unknown> => tab.send('Runtime.releaseObject', { objectId });
    const scope = release && by === 'scope' ? batcher.scope(tab.target) : null;
    const group = scope === null ? {} : { objectGroup: scope.objectGroup };
    const list = async (): Promise<{ objectId?: string; type: 'object' }> => {
      const { result } = await tab.send('Runtime.evaluate', { expression: 'document.querySelectorAll(".product")', ...group });
      count(1);
      return { objectId: result.objectId, type: 'object' };
    };
    const extractAll = async (listId: string): Promise<number> => {
      const props = (await tab.send('Runtime.getProperties', { objectId: listId, ownProperties: true, ...group })) as unknown as {
        result: { name: string; value?: { objectId?: string } }[];
        internalProperties?: { value?: { objectId?: string } }[];
      };
      const ids = [...props.result.map((p) => p.value?.objectId), ...(props.internalProperties ?? []).map((p) => p.value?.objectId)]
        .filter((id): id is string => id !== undefined);
      count(ids.length);
      let products = 0;
      await Promise.all(ids.map(async (objectId, i) => {
        try {
          if (i < props.result.length) {
            await tab.send('Runtime.callFunctionOn', { objectId, functionDeclaration: EXTRACT, returnByValue: true });
            products++;
          }
        } finally {
          // every element as soon as it is done: handed over, or awaited
          if (release && by === 'batcher') batcher.release(tab.target, objectId);
          else if (release && by === 'await-each') await releaseNow(objectId);
        }
      }));
      if (release && by === 'all-at-once') await Promise.all(ids.map(releaseNow));
      return products;
    };
    if (release && by === 'batcher') return lastValueFrom(withRemoteObject(batcher, tab.target, list, (handle) => extractAll(handle.objectId)));
    if (scope !== null) {
      try {
        return await extractAll((await list()).objectId ?? '');
      } finally {
        scope.dispose(); // the page's objects, every one, in one message
      }
    }
    const listId = (await list()).objectId ?? '';
    const products = await extractAll(listId);
    if (release) await releaseNow(listId);
    return products;
  }

  /** One page through a client's handles: every product an ElementHandle (watched), released as it is. */
  async #crawlHandles(handles: ProductHandle[], batcher: ReleaseBatcher, release: boolean, count: (n: number) => void): Promise<number> {
    const by = this.#options.releaseBy ?? 'batcher';
    const items = this.#options.watch === false ? handles : handles.map((item) => batcher.watch(item));
    count(items.length);
    let products = 0;
    await Promise.all(items.map(async (item) => {
      try {
        await item.evaluate((el: never) => {
          const product = el as { dataset: Record<string, string | undefined>; querySelector(selector: string): { textContent: string | null } | null };
          return { sku: product.dataset.sku, name: product.querySelector('.name')?.textContent };
        });
        products++;
      } finally {
        if (release && (by === 'batcher' || by === 'scope')) batcher.release(item); // on the client's own session, one message; nothing awaited
        else if (release && by === 'await-each') await item.dispose();
      }
    }));
    if (release && by === 'all-at-once') await Promise.all(items.map((item) => item.dispose()));
    return products;
  }

  #done(products: number): number {
    this.#pagesDone++;
    this.progress$.next({ pagesDone: this.#pagesDone, pagesTotal: this.#options.pages, objects: this.#objects });
    return products;
  }
}
