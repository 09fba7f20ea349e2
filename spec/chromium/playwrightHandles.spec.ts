import { chromium as playwright, type Browser, type CDPSession, type JSHandle, type Page } from 'playwright-core';
import { from, lastValueFrom } from 'rxjs';
import { explainClientHandle, withRemoteObject } from '../../src/index';
import { releaseInto } from '../../src/operators/releaseInto';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import { statsBalance } from '../../src/stats';
import { heapAfterGc, sendOf } from '../../src/testing/index';
import { useChromium } from '../support/browser';
import { dropGuardWhileHandleLives, releaseAcrossPageClose } from '../support/handles';
import { countingRelay, type CountingRelay } from '../support/cdpProxy';
import { exposeGc } from '../support/gc';
import { arraysOf, handlesFrom } from '../support/objectHandles';

/** `n` fresh objects as playwright JSHandles, read from arrays of 1,000 with `getProperties()`. */
const handlesOf = (page: Page, n: number): Promise<JSHandle[]> => handlesFrom((count) => page.evaluateHandle(arraysOf, count), n);

/** Whether playwright's client still holds the handle: its connection lets go of a disposed one. */
const heldByPlaywright = (handle: JSHandle): boolean => {
  const h = handle as unknown as { _guid: string; _connection: { _objects: Map<string, unknown> } };
  return h._connection._objects.get(h._guid) === handle;
};

/**
 * The relay's count once playwright has written what it will: its server sends `Runtime.releaseObject`
 * after it answered the dispose (it does not wait for Chrome), so the wire lags the outcome a little.
 */
async function wireSettled(relay: CountingRelay): Promise<number> {
  let last = -1;
  for (let i = 0; i < 40 && relay.releases !== last; i++) {
    last = relay.releases;
    await new Promise((r) => setTimeout(r, 50));
  }
  return relay.releases;
}

describe('batcher.release(handle): playwright-core handles as they are, against a real Chromium', () => {
  const chromium = useChromium();
  let relay: CountingRelay;
  let browser: Browser;
  let page: Page;
  let session: CDPSession; // for the heap only: releases never go through it
  beforeEach(async () => {
    relay = await countingRelay(chromium.current.browserWSEndpoint);
    browser = await playwright.connectOverCDP(relay.wsEndpoint);
    page = await browser.contexts()[0]!.newPage();
    session = await page.context().newCDPSession(page);
  });
  afterEach(async () => {
    await page.close().catch(() => undefined);
    await browser.close().catch(() => undefined);
    await relay.close();
  });
  const heap = (): Promise<number> => heapAfterGc(sendOf(session));

  it('20,000 handles: one Runtime.releaseObject each; disposed as playwright sees it; a later dispose() sends nothing; heap back within 10%', async () => {
    await Promise.all((await handlesOf(page, 1000)).map((h) => h.dispose())); // warm-up: minting code compiled
    const before = await heap();
    const handles = await handlesOf(page, 20_000);
    expect(await heap()).toBeGreaterThan(before * 2);
    const batcher = new ReleaseBatcher();
    const sentBefore = relay.releases;
    for (const handle of handles) batcher.release(handle); // synchronous: nothing awaited, no session named
    await batcher.close();
    expect(batcher.stats).toMatchObject({ enqueued: 20_000, released: 20_000, gone: 0, failed: 0, invalid: 0, duplicate: 0, pending: 0, inFlight: 0 });
    expect(statsBalance(batcher.stats)).toBe(true);
    expect((await wireSettled(relay)) - sentBefore).toBe(20_000);
    expect(handles.some(heldByPlaywright)).toBe(false);
    await Promise.all(handles.map((h) => h.dispose())); // the client's own dispose: nothing more
    await new Promise((r) => setTimeout(r, 100));
    expect(relay.releases - sentBefore).toBe(20_000);
    await expect(handles[0]!.evaluate((o) => o)).rejects.toThrow(/closed|collected|disposed/i);
    expect(Math.abs((await heap()) - before)).toBeLessThanOrEqual(before * 0.1);
  });

  it('ElementHandles from page.$$() and withRemoteObject(page.$()): released when done, one message each', async () => {
    await page.setContent(`<h1>Title</h1><ul>${'<li>x</li>'.repeat(300)}</ul>`);
    const items = await page.$$('li');
    const batcher = new ReleaseBatcher();
    const sentBefore = await wireSettled(relay); // page.$$() releases objects of its own
    for (const item of items) batcher.release(item);
    await batcher.flush();
    expect(batcher.stats).toMatchObject({ enqueued: 300, released: 300 });
    expect(items.some(heldByPlaywright)).toBe(false);
    expect((await wireSettled(relay)) - sentBefore).toBe(300);
    let h1: JSHandle | null = null;
    const title = await lastValueFrom(withRemoteObject(batcher, () => page.$('h1'), (found) => {
      h1 = found;
      return found!.evaluate((el) => el.textContent);
    }));
    expect(title).toBe('Title');
    await batcher.flush();
    expect(batcher.stats).toMatchObject({ enqueued: 301, released: 301 });
    expect(heldByPlaywright(h1!)).toBe(false);
    await batcher.close();
  });

  it('a handle its client disposed already is counted duplicate and sends nothing; an unknown shape is invalid, and says why', async () => {
    const disposed = await page.evaluateHandle(() => ({ a: 1 }));
    await disposed.dispose();
    const batcher = new ReleaseBatcher();
    const sentBefore = relay.releases;
    batcher.release(disposed);
    // A playwright-looking handle of a version whose internals this library does not know.
    const unknownVersion = { _type: 'JSHandle', _guid: 'handle@1', dispose: () => Promise.resolve() };
    batcher.release(unknownVersion);
    await batcher.close();
    expect(batcher.stats).toMatchObject({ enqueued: 2, duplicate: 1, invalid: 1, released: 0 });
    expect(relay.releases - sentBefore).toBe(0);
    expect(explainClientHandle(unknownVersion)).toMatch(/playwright-core JSHandle .*supported: playwright-core 1\.65/);
    expect(explainClientHandle(disposed)).toBeNull();
    expect(explainClientHandle({ objectId: 'x' })).toMatch(/not a puppeteer-core or playwright-core/);
  });

  it('closing the page ends its handles\' releases at once: nothing waits for the timeout', async () => {
    const stats = await releaseAcrossPageClose(await handlesOf(page, 5_000), () => page.close());
    expect(stats.gone + stats.dropped).toBeGreaterThan(0); // the close struck mid-burst
  });

  it('a crash of the page ends its handles\' releases at once', async () => {
    const handles = await handlesOf(page, 5_000);
    const batcher = new ReleaseBatcher({ timeoutMs: 20_000 });
    batcher.release(handles[0]!);
    await batcher.flush();
    const crashed = new Promise<void>((resolve) => page.once('crash', () => resolve()));
    void session.send('Page.crash').catch(() => undefined); // never answered: the renderer is gone
    await crashed;
    for (const handle of handles.slice(1)) batcher.release(handle);
    const t0 = performance.now();
    await batcher.flush();
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(batcher.stats).toMatchObject({ enqueued: 5_000, released: 1, dropped: 4_999, timedOut: 0, pending: 0, inFlight: 0 });
    await batcher.close();
  });

  it('adopt(handle): the guard releases the handle once; a client dispose first means nothing more is sent; releaseInto takes handles', async () => {
    const [a, b] = [await page.evaluateHandle(() => ({ a: 1 })), await page.evaluateHandle(() => ({ b: 2 }))];
    const batcher = new ReleaseBatcher();
    const sentBefore = relay.releases;
    await batcher.adopt(a)[Symbol.asyncDispose]();
    expect(heldByPlaywright(a)).toBe(false);
    expect(batcher.stats).toMatchObject({ enqueued: 1, released: 1 });
    const guardB = batcher.adopt(b);
    await b.dispose();
    guardB.dispose();
    const streamed = await handlesOf(page, 500);
    const mintedAt = await wireSettled(relay); // minting disposes its arrays
    await lastValueFrom(from(streamed).pipe(releaseInto(batcher)), { defaultValue: undefined });
    await batcher.close();
    expect(mintedAt - sentBefore).toBe(3); // a, b, and the one array minted
    expect((await wireSettled(relay)) - mintedAt).toBe(500);
    expect(batcher.stats).toMatchObject({ enqueued: 501, released: 501 });
  });

  it('with trackLeaks, a guard dropped while its handle lives releases nothing: the handle still works, and is counted watched', async () => {
    const handle = await page.evaluateHandle(() => ({ answer: 42 }));
    const batcher = await dropGuardWhileHandleLives(handle, () => wireSettled(relay));
    expect(batcher.stats.watched).toBe(1);
    expect(await handle.evaluate((o) => o.answer)).toBe(42);
    await handle.dispose(); // its client disposes it: no longer waiting
    expect(batcher.stats.watched).toBe(0);
    await batcher.close();
  });

  describe('watch(handle): playwright keeps every handle reachable until disposed', () => {
    it('dropped watched handles are never collected (measured): the live count per page shows the leak, and falls as handles are disposed or the page closes', async () => {
      await page.goto('data:text/html,<title>watched</title>');
      const batcher = new ReleaseBatcher();
      const seen: number[] = [];
      const subscription = batcher.stats$.subscribe((s) => seen.push(s.watched));
      let kept: JSHandle[] = [];
      let refs: WeakRef<JSHandle>[] = [];
      await (async () => {
        const handles = (await handlesOf(page, 2_000)).map((h) => batcher.watch(h));
        refs = handles.slice(1_000).map((h) => new WeakRef(h));
        kept = handles.slice(0, 1_000);
      })(); // 1,000 of them out of our reach here
      const gc = exposeGc();
      for (let i = 0; i < 10; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(1_000); // playwright holds them all
      expect(batcher.stats).toMatchObject({ leaked: 0, watched: 2_000 });
      expect(batcher.stats.watchedByPage).toEqual([{ page: 1, url: 'data:text/html,<title>watched</title>', watched: 2_000 }]);
      expect(Math.max(...seen)).toBe(2_000); // stats$ showed it growing

      await Promise.all(kept.slice(0, 500).map((h) => h.dispose())); // disposed by its client
      for (const h of kept.slice(500)) batcher.release(h); // released through the batcher
      await batcher.flush();
      expect(batcher.stats).toMatchObject({ watched: 1_000, released: 500, leaked: 0 });
      await page.close(); // playwright disposes the rest with the page
      expect(batcher.stats).toMatchObject({ watched: 0, watchedByPage: [] });
      subscription.unsubscribe();
      await batcher.close();
    });
  });
});
