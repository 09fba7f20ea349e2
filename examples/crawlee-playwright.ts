/**
 * crawlee's PlaywrightCrawler over playwright-core and Debian's Chromium, releasing the handles each
 * page gave (`page.$$()`) through the batcher as they are: no session, nothing awaited in the handler.
 *
 *   node -r ts-node/register -r tsconfig-paths/register examples/crawlee-playwright.ts
 */
import { Configuration, PlaywrightCrawler, log } from 'crawlee';
import { chromium } from 'playwright-core';
import { ReleaseBatcher } from 'cdp-release-batcher';
import { startShop } from './support/shop';

const PAGES = 12;
const PRODUCTS = 200;

async function main(): Promise<void> {
  log.setLevel(log.LEVELS.WARNING);
  const shop = await startShop(PAGES, PRODUCTS);
  const batcher = new ReleaseBatcher();
  let products = 0;
  const crawler = new PlaywrightCrawler({
    launchContext: {
      launcher: chromium, // playwright-core: crawlee launches the system Chromium with it
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      },
    },
    maxConcurrency: 2,
    async requestHandler({ page, enqueueLinks }) {
      const items = await page.$$('li.product');
      try {
        for (const item of items) {
          const sku = await item.evaluate((li) => li.getAttribute('data-sku'));
          if (sku !== null) products++;
        }
      } finally {
        for (const item of items) batcher.release(item); // the handle's one dispose(), by the batcher
      }
      await enqueueLinks({ selector: 'nav a' });
    },
  }, new Configuration({ persistStorage: false }));
  try {
    await crawler.run([shop.url]);
  } finally {
    await batcher.close();
    await crawler.teardown();
    await shop.close();
  }
  console.log(JSON.stringify({ pages: crawler.stats.state.requestsFinished, products, stats: batcher.stats }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
