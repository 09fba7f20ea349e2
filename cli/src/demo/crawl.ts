import type CDP from 'chrome-remote-interface';
import type { Browser as PlaywrightBrowser, Page as PlaywrightPage } from 'playwright-core';
import { BehaviorSubject, defer, from, lastValueFrom, merge, of, repeat, takeWhile, toArray, type Observable } from 'rxjs';
import { criSession } from 'cdp-release-batcher';
import type { ReleaseBatcher } from 'cdp-release-batcher';
import type { CdpTarget } from 'cdp-release-batcher';
import { withRemoteObject } from 'cdp-release-batcher';

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
}

type Answer = { result: { objectId?: string; value?: unknown }; internalProperties?: { value?: { objectId?: string } }[] };
type Send = (method: string, params?: object) => Promise<Answer>;

interface Tab {
  /** The playwright page, when crawling through playwright-core. */
  readonly page?: PlaywrightPage;
  readonly targetId: string;
  readonly sessionId: string;
  readonly target: CdpTarget;
  readonly send: Send;
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
    const { browser, siteUrl, tabs, playwright } = this.#options;
    if (playwright !== undefined) {
      const context = playwright.contexts()[0] ?? (await playwright.newContext());
      for (let i = 0; i < tabs; i++) {
        const page = await context.newPage();
        const session = await context.newCDPSession(page); // the heap and loadPage(); releases go through the handles
        const send: Send = (method, params = {}) => session.send(method as 'Runtime.evaluate', params as never);
        await page.goto(siteUrl);
        this.#tabs.push({ page, targetId: '', sessionId: '', target: session, send });
      }
      return;
    }
    for (let i = 0; i < tabs; i++) {
      const { targetId } = await browser.Target.createTarget({ url: 'about:blank' });
      const { sessionId } = await browser.Target.attachToTarget({ targetId, flatten: true });
      const untyped = browser as unknown as { send(m: string, p: object, s: string): Promise<Answer>; once(e: string, l: () => void): void };
      const send: Send = (method, params = {}) => untyped.send(method, params, sessionId);
      this.#tabs.push({ targetId, sessionId, target: criSession(browser, sessionId), send });
      await send('Page.enable');
      const loaded = new Promise<void>((resolve) => untyped.once(`Page.loadEventFired.${sessionId}`, resolve));
      await send('Page.navigate', { url: siteUrl });
      await loaded;
    }
  }

  /**
   * Crawls page 0 once in every tab with a batcher of its own, releasing everything, and waits for
   * those releases. The first crawl compiles the extraction code and warms V8's caches (~0.2 MB per
   * tab that stays); measuring "before" after it compares like with like. Not counted in progress.
   */
  async warmUp(batcher: ReleaseBatcher): Promise<void> {
    for (const tab of this.#tabs) await this.#crawlPage(tab, 0, batcher, true, false);
    await batcher.close();
  }

  /** The tabs' V8 heap, summed; after a full GC in each when `gc`. */
  async heap(gc: boolean): Promise<number> {
    let total = 0;
    for (const tab of this.#tabs) {
      if (gc) {
        await tab.send('HeapProfiler.collectGarbage');
        await tab.send('HeapProfiler.collectGarbage');
      }
      total += ((await tab.send('Runtime.getHeapUsage')) as unknown as { usedSize: number }).usedSize;
    }
    return total;
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
      return page === null ? of(null) : from(this.#crawlPage(tab, page, this.#options.batcher, this.#options.release, true));
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
    for (const tab of this.#tabs) {
      if (tab.page !== undefined) await tab.page.close().catch(() => undefined);
      else await this.#options.browser.Target.closeTarget({ targetId: tab.targetId }).catch(() => undefined);
    }
    this.#tabs = [];
  }

  async #crawlPage(tab: Tab, page: number, batcher: ReleaseBatcher, release: boolean, counted: boolean): Promise<number> {
    const count = (n: number): void => {
      if (counted) this.#objects += n;
    };
    await tab.send('Runtime.evaluate', { expression: `loadPage(${page})`, awaitPromise: true, returnByValue: true });
    if (tab.page !== undefined) return this.#done(counted, await this.#crawlHandles(tab.page, batcher, release, count));
    const list = async (): Promise<{ objectId?: string; type: 'object' }> => {
      const { result } = await tab.send('Runtime.evaluate', { expression: 'document.querySelectorAll(".product")' });
      count(1);
      return { objectId: result.objectId, type: 'object' };
    };
    const extractAll = async (listId: string): Promise<number> => {
      const props = (await tab.send('Runtime.getProperties', { objectId: listId, ownProperties: true })) as unknown as {
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
          if (release) batcher.release(tab.target, objectId); // every element, as soon as it is done
        }
      }));
      return products;
    };
    const products = release
      ? await lastValueFrom(withRemoteObject(batcher, tab.target, list, (handle) => extractAll(handle.objectId)))
      : await extractAll((await list()).objectId ?? '');
    return this.#done(counted, products);
  }

  /** One page through playwright's handles: every product an ElementHandle, watched, released as it is. */
  async #crawlHandles(page: PlaywrightPage, batcher: ReleaseBatcher, release: boolean, count: (n: number) => void): Promise<number> {
    const items = (await page.$$('.product')).map((item) => batcher.watch(item));
    count(items.length);
    let products = 0;
    await Promise.all(items.map(async (item) => {
      try {
        await item.evaluate((el: unknown) => {
          const product = el as { dataset: Record<string, string | undefined>; querySelector(selector: string): { textContent: string | null } | null };
          return { sku: product.dataset.sku, name: product.querySelector('.name')?.textContent };
        });
        products++;
      } finally {
        if (release) batcher.release(item); // on playwright's own connection, one message; nothing awaited
      }
    }));
    return products;
  }

  #done(counted: boolean, products: number): number {
    if (!counted) return products;
    this.#pagesDone++;
    this.progress$.next({ pagesDone: this.#pagesDone, pagesTotal: this.#options.pages, objects: this.#objects });
    return products;
  }
}
