/**
 * puppeteer-core with Debian's Chromium: a CDPSession is a target as it is; forget it when its page
 * closes or crashes (puppeteer's own calls would otherwise wait for `protocolTimeout`).
 *
 *   node -r ts-node/register -r tsconfig-paths/register examples/puppeteer.ts
 */
import puppeteer from 'puppeteer-core';
import { ReleaseBatcher } from 'cdp-release-batcher';

async function main(): Promise<void> {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const session = await page.createCDPSession();
    const batcher = new ReleaseBatcher();
    page.once('close', () => batcher.forget(session));
    page.once('error', () => batcher.forget(session)); // puppeteer's "page crashed" event

    const { result } = await session.send('Runtime.evaluate', { expression: 'Array.from({ length: 1000 }, (_, i) => ({ i }))' });
    if (result.objectId === undefined) throw new Error('expected an object');
    const { result: items } = await session.send('Runtime.getProperties', { objectId: result.objectId, ownProperties: true });
    for (const item of items) if (item.value?.objectId) batcher.release(session, item.value.objectId);
    batcher.release(session, result.objectId);

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
