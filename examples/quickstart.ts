/**
 * The library in one run: a real headless Chromium, a page holding 50,000 remote objects, released
 * through a ReleaseBatcher without awaiting any of them. Prints the page's V8 heap before, while
 * holding, and after releasing, and the batcher's statistics.
 *
 *   npm start
 */
import CDP from 'chrome-remote-interface';
import { auditTime } from 'rxjs';
import puppeteer from 'puppeteer-core';
import { ReleaseBatcher } from 'cdp-release-batcher';

const OBJECTS = 50_000;

async function main(): Promise<void> {
  // Debian's Chromium (or CHROME_PATH), started by puppeteer-core's launcher; chrome-remote-interface connects to it.
  const chromium = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const client = await CDP({ port: Number(new URL(chromium.wsEndpoint()).port) }); // its first page
        const heap = async (): Promise<number> => {
      await client.HeapProfiler.collectGarbage();
      return (await client.Runtime.getHeapUsage()).usedSize;
    };
    const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

    // Warm up the inspector once, so "before" is the heap of a page already in use.
    await client.Runtime.evaluate({ expression: '1' });
    const before = await heap();

    // Every object returned by reference is held by the inspector until released.
    const ids: string[] = [];
    while (ids.length < OBJECTS) {
      const { result } = await client.Runtime.evaluate({ expression: 'Array.from({ length: 1000 }, (_, i) => ({ i, data: new Array(16).fill(i) }))' });
      const { result: props } = await client.Runtime.getProperties({ objectId: result.objectId as string, ownProperties: true });
      for (const p of props) if (/^\d+$/.test(p.name) && p.value?.objectId) ids.push(p.value.objectId);
      await client.Runtime.releaseObject({ objectId: result.objectId as string });
    }
    const holding = await heap();

    const batcher = new ReleaseBatcher();
    // stats$ emits once per batch; a terminal needs a few updates a second at most.
    batcher.stats$.pipe(auditTime(100)).subscribe((s) => process.stdout.write(`\r  released ${s.released.toLocaleString()} / ${s.enqueued.toLocaleString()}, in flight ${s.inFlight}   `));
    const t0 = performance.now();
    for (const id of ids) batcher.release(client, id); // returns at once; nothing to await
    await batcher.close();
    const ms = performance.now() - t0;
    const after = await heap();

    console.log(`\n\n  ${OBJECTS.toLocaleString()} remote objects released in ${ms.toFixed(0)} ms (${Math.round(OBJECTS / (ms / 1000)).toLocaleString()} releases/s)`);
    console.log(`  page heap: before ${mb(before)}, holding ${mb(holding)}, after release ${mb(after)}`);
    console.log(`  stats: ${JSON.stringify(batcher.stats)}`);
    await client.close();
  } finally {
    await chromium.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
