import puppeteer, { type Browser, type ElementHandle, type JSHandle, type Page } from 'puppeteer-core';
import { Socket } from 'node:net';
import { from, lastValueFrom } from 'rxjs';
import { explainClientHandle, isHandleDisposed, withRemoteObject } from '../../src/index';
import { releaseInto } from '../../src/operators/releaseInto';
import { DIRECT_IDS_FROM } from '../../src/internal/clients/directWire';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import { statsBalance } from '../../src/stats';
import { countAlive, heapAfterGc, sendOf } from '../../src/testing/index';
import { useChromium } from '../support/browser';
import { dropGuardWhileHandleLives, releaseAcrossPageClose } from '../support/handles';
import { exposeGc } from '../support/gc';
import { CountingTransport, handlesOf } from '../support/puppeteerWire';

const idOf = (handle: JSHandle): string => handle.remoteObject().objectId ?? '';
/** puppeteer's `disposed` (public in its API docs' sense, typed internal). */
const disposedOf = (handle: JSHandle): boolean => (handle as unknown as { disposed: boolean }).disposed;

describe('batcher.release(handle): puppeteer-core handles as they are, against a real Chromium', () => {
  const chromium = useChromium();
  let transport: CountingTransport;
  let browser: Browser;
  let page: Page;
  beforeEach(async () => {
    transport = await CountingTransport.connect(chromium.current.browserWSEndpoint);
    browser = await puppeteer.connect({ transport, defaultViewport: null, protocolTimeout: 120_000 });
    page = await browser.newPage();
  });
  afterEach(async () => {
    await page.close().catch(() => undefined);
    await browser.disconnect();
  });
  /** The page's own session, where its handles' ids live. */
  const pageSend = (): ReturnType<typeof sendOf> => sendOf((page as unknown as { _client(): { send: unknown } })._client());

  it('20,000 handles: one Runtime.releaseObject each, on their own session; disposed; heap back within 10%', async () => {
    // A warm-up round released by puppeteer itself: "before" is a page whose minting code is compiled.
    await Promise.all((await handlesOf(page, 1000)).map((h) => h.dispose()));
    const before = await heapAfterGc(pageSend());
    const handles = await handlesOf(page, 20_000);
    const holding = await heapAfterGc(pageSend());
    expect(holding).toBeGreaterThan(before * 2);
    const batcher = new ReleaseBatcher();
    const sentBefore = transport.releases;
    for (const handle of handles) batcher.release(handle); // synchronous: nothing awaited
    expect(handles.every((h) => disposedOf(h))).toBe(true);
    await batcher.close();
    expect(batcher.stats).toMatchObject({ enqueued: 20_000, released: 20_000, gone: 0, failed: 0, invalid: 0, duplicate: 0, pending: 0, inFlight: 0 });
    expect(statsBalance(batcher.stats)).toBe(true);
    expect(transport.releases - sentBefore).toBe(20_000);
    // The client's own dispose() now sends nothing.
    await Promise.all(handles.map((h) => h.dispose()));
    expect(transport.releases - sentBefore).toBe(20_000);
    const sample = handles.filter((_, i) => i % 100 === 0).map(idOf);
    expect(await countAlive(pageSend(), sample)).toEqual({ alive: 0, notFound: sample.length, other: [] });
    expect(Math.abs((await heapAfterGc(pageSend())) - before)).toBeLessThanOrEqual(before * 0.1);
  });

  it('releases go on the page session\'s connection under the library\'s own ids, none through the session\'s send; its own commands go on beside them', async () => {
    const handles = await handlesOf(page, 3_000);
    const session = (page as unknown as { _client(): { send: (...args: unknown[]) => Promise<unknown> } })._client();
    const send = session.send.bind(session);
    let throughSend = 0;
    session.send = (...args: unknown[]) => {
      if (args[0] === 'Runtime.releaseObject') throughSend++;
      return send(...args);
    };
    const before = transport.releaseIds.length;
    const batcher = new ReleaseBatcher();
    for (const handle of handles) batcher.release(handle);
    await batcher.close();
    expect(batcher.stats).toMatchObject({ enqueued: 3_000, released: 3_000, gone: 0, failed: 0 });
    expect(throughSend).toBe(0);
    const ids = transport.releaseIds.slice(before);
    expect(ids).toHaveLength(3_000);
    expect(Math.min(...ids)).toBeGreaterThanOrEqual(DIRECT_IDS_FROM);
    expect(handles.every((h) => disposedOf(h))).toBe(true);
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    const sample = handles.filter((_, i) => i % 30 === 0).map(idOf);
    expect(await countAlive(pageSend(), sample)).toEqual({ alive: 0, notFound: sample.length, other: [] });
  });

  it('a page closed with releases on its session\'s wire: they settle gone at once, not at the timeout', async () => {
    const handles = await handlesOf(page, 5_000);
    const batcher = new ReleaseBatcher({ timeoutMs: 20_000 });
    for (const handle of handles) batcher.release(handle);
    const t0 = Date.now();
    await page.close();
    await batcher.flush();
    expect(Date.now() - t0).toBeLessThan(10_000);
    // those in flight answered or gone with the session, those still waiting dropped unsent
    expect(batcher.stats.released + batcher.stats.gone + batcher.stats.dropped).toBe(5_000);
    expect(batcher.stats.dropped).toBeGreaterThan(0);
    expect(batcher.stats).toMatchObject({ timedOut: 0, failed: 0, pending: 0, inFlight: 0 });
    await batcher.close();
  });

  it('ElementHandles from page.$$(): released, disposed as puppeteer sees it, and unusable afterwards', async () => {
    await page.setContent(`<ul>${'<li>x</li>'.repeat(300)}</ul>`);
    const items = await page.$$('li');
    const batcher = new ReleaseBatcher();
    const sentBefore = transport.releases;
    for (const item of items) batcher.release(item);
    await batcher.flush();
    expect(batcher.stats).toMatchObject({ enqueued: 300, released: 300 });
    expect(items.every((i) => disposedOf(i))).toBe(true);
    await expect(items[0]!.evaluate((li) => li.textContent)).rejects.toThrow(/disposed/);
    await items[1]!.dispose();
    expect(transport.releases - sentBefore).toBe(300);
    await batcher.close();
  });

  it('a handle its client disposed already is counted duplicate and sends nothing; a primitive holds nothing; a stranger is invalid', async () => {
    const [disposed, primitive] = [await page.evaluateHandle(() => ({ a: 1 })), await page.evaluateHandle(() => 7)];
    await disposed.dispose();
    const batcher = new ReleaseBatcher();
    const sentBefore = transport.releases;
    batcher.release(disposed);
    batcher.release(primitive);
    batcher.release({ dispose: () => Promise.resolve() }); // a handle of a client it does not know
    await batcher.close();
    expect(batcher.stats).toMatchObject({ enqueued: 2, duplicate: 1, invalid: 1, released: 0 });
    expect(disposedOf(primitive)).toBe(true);
    expect(transport.releases - sentBefore).toBe(0);
  });

  it('an ElementHandle puppeteer used in its isolated world holds two objects: both released, or both dropped after close', async () => {
    await page.setContent('<p>a</p><p>b</p>');
    const [first, second] = (await page.$$('p')) as [ElementHandle<HTMLParagraphElement>, ElementHandle<HTMLParagraphElement>];
    for (const p of [first, second]) expect(await p.isVisible()).toBe(true); // puppeteer adopts it into its isolated world: a twin
    const ids = [first, (first as unknown as { isolatedHandle: JSHandle }).isolatedHandle].map((h) => h.remoteObject().objectId!);
    expect(new Set(ids).size).toBe(2);
    expect(await countAlive(pageSend(), ids)).toEqual({ alive: 2, notFound: 0, other: [] });
    const batcher = new ReleaseBatcher();
    const sentBefore = transport.releases;
    batcher.release(first);
    await batcher.close();
    batcher.release(second);
    expect(batcher.stats).toMatchObject({ enqueued: 4, released: 2, dropped: 2 });
    expect(transport.releases - sentBefore).toBe(2);
    expect(await countAlive(pageSend(), ids)).toEqual({ alive: 0, notFound: 2, other: [] });
  });

  it('after release(element), the element\'s and its twin\'s own dispose() send nothing: two messages in all, not three', async () => {
    await page.setContent('<p>a</p>');
    const [p] = (await page.$$('p')) as [ElementHandle<HTMLParagraphElement>];
    expect(await p.isVisible()).toBe(true); // the isolated-world twin now exists
    const twin = (p as unknown as { isolatedHandle: JSHandle }).isolatedHandle;
    const batcher = new ReleaseBatcher();
    const sentBefore = transport.releases;
    batcher.release(p);
    await batcher.flush();
    expect(isHandleDisposed(p)).toBe(true);
    expect(isHandleDisposed(twin)).toBe(true);
    await twin.dispose();
    await p.dispose();
    expect(transport.releases - sentBefore).toBe(2);
    expect(batcher.stats).toMatchObject({ enqueued: 2, released: 2 });
    await batcher.close();
  });

  it('isHandleDisposed(handle): typed, false while the handle lives, true once released or disposed by its client', async () => {
    const [released, ownDispose] = [await page.evaluateHandle(() => ({ a: 1 })), await page.evaluateHandle(() => ({ b: 2 }))];
    expect([isHandleDisposed(released), isHandleDisposed(ownDispose)]).toEqual([false, false]);
    const batcher = new ReleaseBatcher();
    batcher.release(released);
    expect(isHandleDisposed(released)).toBe(true); // at once: its own dispose() now sends nothing
    await ownDispose.dispose();
    expect(isHandleDisposed(ownDispose)).toBe(true);
    expect(isHandleDisposed({ dispose: () => Promise.resolve() })).toBe(false); // not a handle this library knows
    await batcher.close();
  });

  it('closing the page ends its handles\' releases at once: nothing waits for the timeout', async () => {
    await releaseAcrossPageClose(await handlesOf(page, 5_000), () => page.close()); // it asserts
  });

  it('a crash of the page ends its handles\' releases at once (Chrome answers nothing after a crash)', async () => {
    const handles = await handlesOf(page, 5_000);
    const crasher = await page.createCDPSession();
    const batcher = new ReleaseBatcher({ timeoutMs: 20_000 });
    batcher.release(handles[0]!); // the page session is watched from its first release on
    await batcher.flush();
    void crasher.send('Page.crash').catch(() => undefined); // never answered: the renderer is gone
    await new Promise((r) => setTimeout(r, 500));
    for (const handle of handles.slice(1)) batcher.release(handle);
    const t0 = performance.now();
    await batcher.flush();
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(batcher.stats).toMatchObject({ enqueued: 5_000, timedOut: 0, pending: 0, inFlight: 0 });
    await batcher.close();
  });

  it('adopt(handle): disposing the guard releases the handle once, as release(handle) does; a client dispose first means nothing more is sent', async () => {
    const [a, b] = [await page.evaluateHandle(() => ({ a: 1 })), await page.evaluateHandle(() => ({ b: 2 }))];
    const batcher = new ReleaseBatcher();
    const sentBefore = transport.releases;
    const guardA = batcher.adopt(a);
    expect(guardA.objectId).toBe(idOf(a));
    await guardA[Symbol.asyncDispose](); // resolves once the release settled
    expect(disposedOf(a)).toBe(true);
    expect(batcher.stats).toMatchObject({ enqueued: 1, released: 1 });
    expect(transport.releases - sentBefore).toBe(1);
    const guardB = batcher.adopt(b);
    await b.dispose(); // its client released it: one message
    guardB.dispose(); // nothing more
    await batcher.close();
    expect(transport.releases - sentBefore).toBe(2);
    expect(batcher.stats).toMatchObject({ enqueued: 1, released: 1 });
  });

  it('adopt(elementWithTwin): disposing the guard releases both of its objects, each as an object; a guard over a primitive holds none', async () => {
    await page.setContent('<p>a</p>');
    const p = (await page.$('p')) as ElementHandle<HTMLParagraphElement>;
    expect(await p.isVisible()).toBe(true); // its isolated-world twin
    const ids = [p, (p as unknown as { isolatedHandle: JSHandle }).isolatedHandle].map((h) => h.remoteObject().objectId!);
    expect(new Set(ids).size).toBe(2);
    const primitive = await page.evaluateHandle(() => 7);
    const batcher = new ReleaseBatcher();
    const sentBefore = transport.releases;
    const guard = batcher.adopt(p);
    expect(guard.objectId).toBe(ids[0]);
    expect(batcher.adopt(primitive).objectId).toBe(''); // nothing to release
    await guard[Symbol.asyncDispose]();
    await batcher.close();
    expect(batcher.stats).toMatchObject({ enqueued: 2, released: 2, failed: 0 });
    expect(transport.releases - sentBefore).toBe(2);
    expect(await countAlive(pageSend(), ids)).toEqual({ alive: 0, notFound: 2, other: [] });
  });

  it('with trackLeaks, a guard dropped while its handle lives releases nothing: the handle still works', async () => {
    const handle = await page.evaluateHandle(() => ({ answer: 42 }));
    const batcher = await dropGuardWhileHandleLives(handle, () => transport.releases);
    expect(await handle.evaluate((o) => o.answer)).toBe(42);
    await batcher.close();
  });

  it('releaseInto takes handles in a stream, each on its own session', async () => {
    const handles = await handlesOf(page, 2_000);
    const batcher = new ReleaseBatcher();
    const sentBefore = transport.releases;
    await lastValueFrom(from(handles).pipe(releaseInto(batcher)), { defaultValue: undefined });
    await batcher.close();
    expect(batcher.stats).toMatchObject({ enqueued: 2_000, released: 2_000, invalid: 0 });
    expect(handles.every(disposedOf)).toBe(true);
    expect(transport.releases - sentBefore).toBe(2_000);
  });

  it('withRemoteObject(batcher, acquire, use) takes a handle: use gets it, the end releases it on its session', async () => {
    await page.setContent('<h1>Title</h1>');
    const batcher = new ReleaseBatcher();
    let sentBefore = 0;
    let h1: JSHandle | null = null;
    const title = await lastValueFrom(withRemoteObject(batcher, () => page.$('h1'), async (found) => {
      h1 = found;
      const text = await found!.evaluate((el) => el.textContent);
      sentBefore = transport.releases; // what page.$() released of its own is behind us
      return text;
    }));
    expect(title).toBe('Title');
    await batcher.flush();
    expect(batcher.stats).toMatchObject({ enqueued: 1, released: 1 });
    expect(disposedOf(h1!)).toBe(true);
    expect(transport.releases - sentBefore).toBe(1);
    // page.$() finding nothing gives null: nothing to release, nothing counted
    expect(await lastValueFrom(withRemoteObject(batcher, () => page.$('h2'), (found) => [found]))).toBeNull();
    await batcher.close();
    expect(batcher.stats.enqueued).toBe(1);
  });

  it('a puppeteer-looking handle without the internals this version relies on is invalid, and explainClientHandle says why', async () => {
    const real = await page.evaluateHandle(() => ({ a: 1 }));
    const unknownVersion = { remoteObject: () => real.remoteObject(), asElement: () => null, dispose: () => Promise.resolve() };
    const batcher = new ReleaseBatcher();
    batcher.release(unknownVersion);
    await batcher.close();
    expect(batcher.stats).toMatchObject({ enqueued: 1, invalid: 1 });
    expect(explainClientHandle(unknownVersion)).toMatch(/puppeteer-core handle .*supported: puppeteer-core 24/);
    expect(explainClientHandle(real)).toBeNull();
  });

  describe('watch(handle): the leak net follows the client\'s handle', () => {
    /** Collects Node's garbage until `done()` or `rounds` run out, letting finalizers run in between. */
    async function collectUntil(done: () => boolean, rounds = 40): Promise<void> {
      const gc = exposeGc();
      for (let i = 0; i < rounds && !done(); i++) {
        gc();
        await new Promise((r) => setTimeout(r, 25));
      }
    }

    it('20,000 watched handles dropped: all released on their session, counted leaked, the heap back', async () => {
      await Promise.all((await handlesOf(page, 1000)).map((h) => h.dispose())); // warm-up, as above
      const before = await heapAfterGc(pageSend());
      const batcher = new ReleaseBatcher();
      let sample: string[] = [];
      await (async () => {
        const handles = (await handlesOf(page, 20_000)).map((h) => batcher.watch(h));
        sample = handles.filter((_, i) => i % 100 === 0).map(idOf);
      })(); // the handles go out of reach here
      expect(batcher.stats.watched).toBe(20_000);
      expect(batcher.stats.watchedByPage).toEqual([{ page: 1, url: 'about:blank', watched: 20_000 }]);
      await collectUntil(() => batcher.stats.leaked === 20_000);
      await batcher.flush();
      expect(batcher.stats).toMatchObject({ watched: 0, watchedByPage: [] }); // collected ones are counted out
      expect(batcher.stats).toMatchObject({ leaked: 20_000, enqueued: 20_000, released: 20_000, pending: 0, inFlight: 0 });
      expect(await countAlive(pageSend(), sample)).toEqual({ alive: 0, notFound: sample.length, other: [] });
      expect(Math.abs((await heapAfterGc(pageSend())) - before)).toBeLessThanOrEqual(before * 0.1);
      await batcher.close();
    });

    it('watched handles disposed by their client, or released through the batcher, are not counted and send nothing more', async () => {
      const batcher = new ReleaseBatcher();
      let sentBefore = 0;
      await (async () => {
        const mine = (await handlesOf(page, 300)).map((h) => batcher.watch(h));
        const theirs = (await handlesOf(page, 300)).map((h) => batcher.watch(h));
        sentBefore = transport.releases; // after minting (which disposes its arrays)
        await Promise.all(theirs.map((h) => h.dispose())); // the client's own release: one message each
        for (const h of mine) batcher.release(h);
        await batcher.flush();
      })();
      expect(batcher.stats.watched).toBe(0); // disposed either way: none waiting
      await collectUntil(() => false, 10); // every one of them is garbage now: no finalizer may release again
      await batcher.flush();
      expect(batcher.stats).toMatchObject({ leaked: 0, enqueued: 300, released: 300, watched: 0 });
      expect(transport.releases - sentBefore).toBe(600);
      await batcher.close();
    });

    it('with trackLeaks, adopt(handle) watches the handle itself: a forgotten handle is released and counted', async () => {
      const batcher = new ReleaseBatcher({ trackLeaks: true });
      const objectId = await (async () => {
        const handle = await page.evaluateHandle(() => ({ forgotten: true }));
        batcher.adopt(handle); // guard and handle both dropped, never disposed
        return handle.remoteObject().objectId!;
      })();
      await collectUntil(() => batcher.stats.leaked === 1);
      await batcher.close();
      expect(batcher.stats).toMatchObject({ leaked: 1, enqueued: 1, released: 1 });
      expect(await countAlive(pageSend(), [objectId])).toEqual({ alive: 0, notFound: 1, other: [] }); // Chrome forgot it
    });
  });
});

describe('batcher.release(handle) over puppeteer-core\'s own WebSocket transport, against a real Chromium', () => {
  const chromium = useChromium();

  it('writes a burst of releases to the socket corked: far fewer socket writes than messages, every object gone', async () => {
    const browser = await puppeteer.connect({ browserWSEndpoint: chromium.current.browserWSEndpoint, defaultViewport: null, protocolTimeout: 120_000 });
    const page = await browser.newPage();
    const proto = Socket.prototype as unknown as { _write: (...a: unknown[]) => unknown; _writev: (...a: unknown[]) => unknown };
    const { _write: write, _writev: writev } = proto;
    try {
      const handles = await handlesOf(page, 2_000);
      let writes = 0;
      proto._write = function counted(this: Socket, ...a: unknown[]) { writes++; return write.apply(this, a); };
      proto._writev = function counted(this: Socket, ...a: unknown[]) { writes++; return writev.apply(this, a); };
      const batcher = new ReleaseBatcher();
      for (const handle of handles) batcher.release(handle);
      await batcher.close();
      proto._write = write;
      proto._writev = writev;
      expect(batcher.stats).toMatchObject({ enqueued: 2_000, released: 2_000 });
      // Uncorked, `ws` writes every frame with a system call of its own: 2,000 writes at least.
      expect(writes).toBeGreaterThan(0);
      expect(writes).toBeLessThan(2_000 / 8);
      const sample = handles.filter((_, i) => i % 50 === 0).map(idOf);
      expect(await countAlive(sendOf((page as unknown as { _client(): { send: unknown } })._client()), sample)).toEqual({ alive: 0, notFound: sample.length, other: [] });
    } finally {
      proto._write = write;
      proto._writev = writev;
      await page.close().catch(() => undefined);
      await browser.disconnect();
    }
  });
});
