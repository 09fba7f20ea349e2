/**
 * crawlee's PuppeteerCrawler seen by the census: crawlee launches Chromium with puppeteer-core as
 * usual, and the launcher hands it a browser connected again through the census's transport — so
 * every remote object its pages hold is counted, whoever created it. The handler here forgets the
 * handles `waitForSelector` returns (common crawler code); the census shows what that holds.
 *
 *   node -r ts-node/register -r tsconfig-paths/register examples/crawlee-census.ts
 */
import { Configuration, PuppeteerCrawler, log } from 'crawlee';
import puppeteer, { type LaunchOptions } from 'puppeteer-core';
import { NodeWebSocketTransport } from 'puppeteer-core/internal/node/NodeWebSocketTransport.js';
import { RemoteObjectCensus, type CensusPage } from 'cdp-release-batcher';
import { startShop } from './support/shop';

const PAGES = 12;
const PRODUCTS = 50;

async function main(): Promise<void> {
  log.setLevel(log.LEVELS.WARNING);
  const shop = await startShop(PAGES, PRODUCTS);
  const census = new RemoteObjectCensus();
  // Held by each page just before crawlee closes it: the census's view of what the handler left.
  const leftBehind: CensusPage[] = [];
  // crawlee calls launch(); the browser it gets back talks to Chromium through the census.
  const launcher = {
    launch: async (options: LaunchOptions) => {
      const launched = await puppeteer.launch(options);
      const transport = census.transport(await NodeWebSocketTransport.create(launched.wsEndpoint()));
      const browser = await puppeteer.connect({ transport, defaultViewport: null });
      browser.once('disconnected', () => void launched.close().catch(() => undefined));
      return browser;
    },
  };
  const crawler = new PuppeteerCrawler({
    launchContext: {
      launcher,
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      },
    },
    maxConcurrency: 2,
    async requestHandler({ page, request, enqueueLinks }) {
      await page.waitForSelector('li.product'); // the handle it returns is never disposed
      const items = await page.$$('li.product');
      for (const item of items) await item.evaluate((li) => li.getAttribute('data-sku'));
      await Promise.all(items.map((item) => item.dispose()));
      const held = census.snapshot().pages.find((p) => p.url === request.url);
      if (held !== undefined) leftBehind.push(held);
      await enqueueLinks({ selector: 'nav a' });
    },
  }, new Configuration({ persistStorage: false }));
  try {
    await crawler.run([shop.url]);
  } finally {
    await crawler.teardown();
    await shop.close();
  }
  const total = census.snapshot();
  await census.close();
  console.log(JSON.stringify({
    pages: crawler.stats.state.requestsFinished,
    created: total.created,
    released: total.released,
    held: total.held,
    leftBehindPerPage: leftBehind.map((p) => ({ url: p.url, held: p.held, heldBy: p.heldBy })),
  }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
