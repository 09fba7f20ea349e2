import CDP from 'chrome-remote-interface';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BehaviorSubject, type Observable } from 'rxjs';
import { launchChromium, type LaunchedChromium } from '../browser/launchChromium.js';
import { classifyReleaseError, RemoteObjectCensus } from 'cdp-release-batcher';
import { ReleaseBatcher } from 'cdp-release-batcher';
import type { CensusPage, CensusRelay, ReleaseStats } from 'cdp-release-batcher';
import { DemoCrawl, type CrawlProgress } from './crawl.js';
import { compareSnapshots, groupSnapshot, type GroupChange } from './heapSnapshot.js';
import { heapVerdict, type HeapFigures, type HeapVerdict } from './heapVerdict.js';
import { startDemoSite, type DemoSite } from './site.js';

export interface DemoOptions {
  readonly pages: number;
  readonly tabs: number;
  /** Products per page (remote objects per page ≈ products + 2). */
  readonly products: number;
  readonly release: boolean;
  /** Crawl through `cri` (chrome-remote-interface, raw ids; the default) or playwright-core's handles. */
  readonly client?: 'cri' | 'playwright' | undefined;
  /**
   * Also take a heap snapshot of the first tab before the crawl and after it (after the "before" and
   * "after" measurements), write both to this folder (`before.heapsnapshot`, `after.heapsnapshot`) and
   * compare them: what grew, by constructor, with what holds the largest objects.
   */
  readonly heapSnapshots?: string | undefined;
  /** Attach to a running browser (`ws://.../devtools/browser/...`) instead of launching one. */
  readonly browserUrl?: string | undefined;
}

/** What `demo --json FILE` writes. */
export interface DemoSummary {
  readonly pages: number;
  readonly objects: number;
  readonly products: number;
  readonly durationMs: number;
  readonly release: boolean;
  readonly client: 'cri' | 'playwright';
  readonly interrupted: boolean;
  readonly stats: ReleaseStats;
  /** The pages' heap, and the verdict on it (see `heapVerdict`). */
  readonly heap: HeapFigures & { readonly verdict: HeapVerdict };
  /**
   * Remote objects Chrome still holds for the crawl's tabs at the end: as the census counted them
   * from the protocol (whoever created them), and as a heap snapshot of each tab counts them.
   */
  readonly held: { readonly census: number; readonly heapSnapshot: number; readonly pages: readonly CensusPage[] };
  /** With {@link DemoOptions.heapSnapshots}: the files, and what changed between them (largest first, 40 at most). */
  readonly heapSnapshots?: { readonly before: string; readonly after: string; readonly changes: readonly GroupChange[] };
}

/** The browser went away during the demo (killed, crashed, connection cut). */
export class BrowserGoneError extends Error {
  override readonly name = 'BrowserGoneError';
}

/**
 * One demo run: the shop, the browser (launched or attached), the batcher and the crawl, and the
 * live figures a dashboard shows. Everything it starts, it stops, however the run ends.
 */
export class DemoRun {
  readonly batcher = new ReleaseBatcher();
  /** Every remote object the run's connection carries, whoever created it (the crawl, the client). */
  readonly census = new RemoteObjectCensus();
  readonly heap$ = new BehaviorSubject<number>(0);
  #crawl: DemoCrawl | null = null;
  #progress$ = new BehaviorSubject<CrawlProgress>({ pagesDone: 0, pagesTotal: 0, objects: 0 });
  #interrupted = false;
  #chromium: LaunchedChromium | null = null;

  constructor(readonly options: DemoOptions) {}

  get progress$(): Observable<CrawlProgress> {
    return this.#progress$;
  }

  /** Stops taking new pages; the run then flushes, measures and cleans up as usual. */
  interrupt(): void {
    this.#interrupted = true;
    this.#crawl?.stop();
  }

  /** Kills a browser this run launched, at once (for process exit paths). */
  killBrowserNow(): void {
    this.#chromium?.killNow();
  }

  async #snapshot(crawl: DemoCrawl, dir: string, name: string): Promise<{ file: string; groups: ReturnType<typeof groupSnapshot> }> {
    const json = await crawl.snapshotFirstTab();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.heapsnapshot`);
    writeFileSync(file, json);
    return { file, groups: groupSnapshot(json) };
  }

  async run(): Promise<DemoSummary> {
    const held: Held = { site: null, browser: null, playwright: undefined, relay: null, sampler: null };
    try {
      held.site = await startDemoSite(this.options.products);
      const untilGone = await this.#connect(held);
      const crawl = new DemoCrawl({ browser: held.browser as CDP.Client, siteUrl: held.site.url, pages: this.options.pages, tabs: this.options.tabs, release: this.options.release, batcher: this.batcher, playwright: held.playwright });
      this.#crawl = crawl;
      crawl.progress$.subscribe(this.#progress$);
      await untilGone(crawl.open());
      await untilGone(crawl.warmUp(new ReleaseBatcher()));
      return await this.#crawlWeighed(crawl, held, untilGone);
    } catch (error) {
      // A call that failed because the connection broke (`write EPIPE`, `WebSocket connection
      // closed`, ...) can reject before the client's 'disconnect' event: same cause, same message.
      if (held.browser !== null && !(error instanceof BrowserGoneError) && classifyReleaseError(error).targetGone) {
        throw new BrowserGoneError('the browser went away during the crawl (connection closed)');
      }
      throw error;
    } finally {
      if (held.sampler !== null) clearInterval(held.sampler);
      await this.#crawl?.close().catch(() => undefined);
      await this.batcher.close();
      await held.playwright?.close().catch(() => undefined); // connected over CDP: disconnects only
      await held.browser?.close().catch(() => undefined);
      await this.census.close(); // and its relay
      await this.#chromium?.close();
      await held.site?.close();
    }
  }

  /**
   * Connects to the browser (launching one unless `browserUrl` is given), and over CDP with
   * playwright-core for `--client playwright`. Returns a race that rejects as soon as the browser's
   * connection closes, so no step of the crawl waits on a browser that is gone.
   */
  async #connect(held: Held): Promise<<T>(p: Promise<T>) => Promise<T>> {
    if (this.options.browserUrl === undefined) this.#chromium = await launchChromium();
    const browserUrl = this.options.browserUrl ?? this.#chromium?.browserWSEndpoint ?? '';
    held.browser = this.census.observe(await CDP({ target: browserUrl }));
    let gone: ((e: Error) => void) | null = null;
    const browserGone = new Promise<never>((_, reject) => (gone = reject));
    browserGone.catch(() => undefined);
    held.browser.on('disconnect', () => gone?.(new BrowserGoneError('the browser went away during the crawl (connection closed)')));
    if (this.options.client === 'playwright') {
      const { chromium } = await import('playwright-core');
      held.relay = await this.census.relay(browserUrl); // playwright owns its connection: the census sees it through the relay
      held.playwright = await chromium.connectOverCDP(held.relay.endpoint);
    }
    return <T>(p: Promise<T>): Promise<T> => Promise.race([p, browserGone]);
  }

  /** The crawl itself, with the first tab's heap weighed (and snapshotted) before and after. */
  async #crawlWeighed(crawl: DemoCrawl, held: Held, untilGone: <T>(p: Promise<T>) => Promise<T>): Promise<DemoSummary> {
    const perObject = await untilGone(crawl.measureHeldBytesPerObject());
    const beforeBytes = await untilGone(crawl.heap(true));
    this.heap$.next(beforeBytes);
    const snapshots = this.options.heapSnapshots;
    const snapshotBefore = snapshots === undefined ? null : await untilGone(this.#snapshot(crawl, snapshots, 'before'));
    held.sampler = setInterval(() => {
      crawl.heap(false).then((bytes) => this.heap$.next(bytes), () => undefined);
    }, 1_000);
    const t0 = performance.now();
    if (this.#interrupted) crawl.stop();
    const products = await untilGone(crawl.run());
    await untilGone(this.batcher.flush());
    const durationMs = performance.now() - t0;
    clearInterval(held.sampler);
    held.sampler = null;
    const afterBytes = await untilGone(crawl.heap(true));
    this.heap$.next(afterBytes);
    const snapshotAfter = snapshots === undefined ? null : await untilGone(this.#snapshot(crawl, snapshots, 'after'));
    const census = this.census.snapshot();
    const tabs = new Set(crawl.targetIds());
    const crawled = census.pages.filter((p) => tabs.has(p.targetId));
    const progress = this.#progress$.value;
    const figures: HeapFigures = { beforeBytes, afterBytes, heldBytesPerObject: perObject.bytesPerObject, tabs: this.options.tabs };
    const verdict = heapVerdict(figures, { objects: progress.objects, released: this.batcher.stats.released, release: this.options.release });
    return {
      pages: progress.pagesDone,
      objects: progress.objects,
      products,
      durationMs: Math.round(durationMs),
      release: this.options.release,
      client: this.options.client ?? 'cri',
      interrupted: this.#interrupted,
      stats: this.batcher.stats,
      heap: { ...figures, verdict },
      held: { census: crawled.reduce((sum, p) => sum + p.held, 0), heapSnapshot: await untilGone(crawl.auditHeld()), pages: crawled },
      ...(snapshotBefore && snapshotAfter
        ? { heapSnapshots: { before: snapshotBefore.file, after: snapshotAfter.file, changes: compareSnapshots(snapshotBefore.groups, snapshotAfter.groups).slice(0, 40) } }
        : {}),
    };
  }
}

/** What one run holds and must let go of however it ends. */
interface Held {
  site: DemoSite | null;
  browser: CDP.Client | null;
  playwright: import('playwright-core').Browser | undefined;
  relay: CensusRelay | null;
  sampler: NodeJS.Timeout | null;
}
