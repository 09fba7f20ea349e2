/**
 * A small observable crawler: 3 pages at a time over 12 generated pages, every remote object tied
 * to the subscription that uses it, so nothing leaks — even when a page is cancelled midway.
 *
 *   node -r ts-node/register -r tsconfig-paths/register examples/crawler.ts
 */
import type { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import CDP from 'chrome-remote-interface';
import { from, lastValueFrom, mergeMap, toArray } from 'rxjs';
import puppeteer from 'puppeteer-core';
import { ReleaseBatcher, criSession, withRemoteObject } from 'cdp-release-batcher';

const PAGES = 12;

async function main(): Promise<void> {
  // Generated pages on loopback: a product list each.
  const server = createServer((req, res) => {
    const n = Number(req.url?.slice(1)) || 0;
    const items = Array.from({ length: 50 }, (_, i) => `<li class="product"><b>Item ${n}-${i}</b> <i>${(i * 1.25).toFixed(2)}</i></li>`).join('');
    res.end(`<!doctype html><title>Page ${n}</title><ul>${items}</ul>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Debian's Chromium (or CHROME_PATH), started by puppeteer-core's launcher; chrome-remote-interface connects to it.
  const chromium = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const browser = await CDP({ target: chromium.wsEndpoint() });
  const batcher = new ReleaseBatcher();
  try {
    const crawlOne = async (n: number): Promise<{ page: number; products: number }> => {
      const { targetId } = await browser.Target.createTarget({ url: 'about:blank' });
      const { sessionId } = await browser.Target.attachToTarget({ targetId, flatten: true });
      const session = criSession(browser, sessionId); // forgotten by the batcher when it detaches
      type Answer = { result: { objectId?: string; value?: unknown } };
      const send = (method: string, params: object): Promise<Answer> =>
        (browser.send as unknown as (m: string, p: object, s: string) => Promise<Answer>)(method, params, sessionId);
      await send('Page.enable', {});
      // chrome-remote-interface emits session events as `<event>.<sessionId>` (its typings omit `once`)
      const loaded = new Promise((resolve) => (browser as unknown as EventEmitter).once(`Page.loadEventFired.${sessionId}`, resolve));
      await send('Page.navigate', { url: `${base}/${n}` });
      await loaded;
      // The NodeList lives as long as this subscription: released on complete, error or cancel.
      const names = await lastValueFrom(
        withRemoteObject(batcher, session,
          () => send('Runtime.evaluate', { expression: 'document.querySelectorAll(".product b")' }).then((r) => r.result),
          (list) => send('Runtime.callFunctionOn', { objectId: list.objectId, functionDeclaration: 'function () { return [...this].map((e) => e.textContent); }', returnByValue: true })
            .then((r) => r.result.value as string[])),
      );
      await batcher.flush(); // optional: let this page's release land before the tab closes
      await browser.Target.closeTarget({ targetId });
      return { page: n, products: names.length };
    };
    const results = await lastValueFrom(from(Array.from({ length: PAGES }, (_, i) => i)).pipe(mergeMap((n) => crawlOne(n), 3), toArray()));
    await batcher.close();
    console.log(JSON.stringify({ pages: results.length, products: results.reduce((a, r) => a + r.products, 0), stats: batcher.stats }));
  } finally {
    await browser.close();
    await chromium.close();
    server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
