/**
 * playwright-core with Debian's Chromium: a CDPSession is a target as it is; forget it when its
 * page closes or crashes. A scope releases everything created in its object group in one call.
 *
 *   node -r ts-node/register -r tsconfig-paths/register examples/playwright.ts
 */
import { chromium } from 'playwright-core';
import { ReleaseBatcher } from 'cdp-release-batcher';

async function main(): Promise<void> {
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const session = await page.context().newCDPSession(page);
    const batcher = new ReleaseBatcher();
    page.once('close', () => batcher.forget(session));
    page.once('crash', () => batcher.forget(session));

    {
      await using scope = batcher.scope(session);
      const { result } = await session.send('Runtime.evaluate', { expression: 'Array.from({ length: 1000 }, (_, i) => ({ i }))', objectGroup: scope.objectGroup });
      // getProperties has no objectGroup parameter: its objects join the group of the object asked about
      if (result.objectId !== undefined) await session.send('Runtime.getProperties', { objectId: result.objectId, ownProperties: true });
    } // 1,001 objects released here, in one Runtime.releaseObjectGroup

    await batcher.close();
    console.log(JSON.stringify(batcher.stats));
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
