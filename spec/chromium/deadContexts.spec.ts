import CDP from 'chrome-remote-interface';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import { countAlive, mintObjects, sendOf } from '../../src/testing/index';
import { useChromium } from '../support/browser';
import { within } from '../support/within';
import { CriFrames } from '../support/criWire';
import { CountingTransport, handlesOf } from '../support/puppeteerWire';


const PAGE = 'data:text/html,<title>objects</title>';

describe('nothing is sent to an execution context that is gone (real Chromium)', () => {
  const chromium = useChromium();

  describe('puppeteer-core handles, the page navigated while 20,000 releases are queued', () => {
    let transport: CountingTransport;
    let browser: Browser;
    let page: Page;
    beforeEach(async () => {
      transport = await CountingTransport.connect(chromium.current.browserWSEndpoint);
      browser = await puppeteer.connect({ transport, defaultViewport: null });
      page = await browser.newPage();
      await page.goto(PAGE);
    });
    afterEach(async () => {
      await page.close().catch(() => undefined);
      await browser.disconnect();
    });

    it('settles the waiting ones gone unsent once Chrome says the contexts were cleared, and flush() ends soon after', async () => {
      const handles = await handlesOf(page, 20_000);
      const ids = handles.map((h) => h.remoteObject().objectId ?? '');
      const session = (handles[0] as unknown as { client: Parameters<typeof sendOf>[0] }).client;
      const before = transport.releases;
      const batcher = new ReleaseBatcher();
      for (const handle of handles) batcher.release(handle);
      const navigated = page.goto('about:blank');
      await navigated;
      await within(2_000, 'flush() after the navigation', batcher.flush());
      const sent = transport.releases - before;
      const { released, gone, failed, timedOut, dropped } = batcher.stats;
      expect({ settled: released + gone, failed, timedOut, dropped }).toEqual({ settled: 20_000, failed: 0, timedOut: 0, dropped: 0 });
      expect(sent).toBeLessThan(10_000); // every one of the 20,000 was sent before
      expect(gone).toBeGreaterThanOrEqual(20_000 - sent); // the unsent ones: gone, not released
      // Released after the navigation: an object of the old page is not sent at all, a new one is.
      const fresh = await handlesOf(page, 10);
      const before2 = transport.releases;
      const stale = batcher.stats.gone;
      batcher.release(session as never, ids[0] as string);
      for (const h of fresh) batcher.release(h);
      await within(2_000, 'flush() of the late releases', batcher.flush());
      expect(batcher.stats.gone).toBe(stale + 1);
      expect(batcher.stats.released).toBe(released + 10);
      expect(transport.releases).toBe(before2 + 10); // the stale id went nowhere
      // Every object of the 20,000 is gone from Chrome, sent or not.
      const check = await countAlive(sendOf(session), ids.filter((_, i) => i % 100 === 0));
      expect(check.alive).toBe(0);
      await batcher.close();
    }, 60_000);
  });

  it('chrome-remote-interface with Runtime enabled: a reload while 20,000 are queued sends far fewer than 20,000', async () => {
    const port = chromium.current.port;
    const target = await CDP.New({ port, url: PAGE });
    const client = await CDP({ port, target: target.id });
    try {
      await client.Runtime.enable();
      await client.Page.enable();
      const ids = await mintObjects(sendOf(client), 20_000, 4);
      const frames = new CriFrames(client); // counted on the socket
      const batcher = new ReleaseBatcher();
      for (const id of ids) batcher.release(client, id);
      const loaded = client.Page.loadEventFired();
      await client.Page.reload();
      await loaded;
      await within(2_000, 'flush() after the reload', batcher.flush());
      const { released, gone } = batcher.stats;
      const sent = frames.releases;
      expect(released + gone).toBe(20_000);
      expect(sent).toBeLessThan(10_000);
      expect(gone).toBeGreaterThanOrEqual(20_000 - sent);
      const check = await countAlive(sendOf(client), ids.filter((_, i) => i % 100 === 0));
      expect(check.alive).toBe(0);
      await batcher.close();
    } finally {
      await client.close().catch(() => undefined);
      await CDP.Close({ port, id: target.id }).catch(() => undefined);
    }
  }, 60_000);
});
