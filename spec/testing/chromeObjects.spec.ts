import CDP from 'chrome-remote-interface';
import puppeteer from 'puppeteer-core';
import { countAlive, heapAfterGc, mintObjects, sendOf } from '../../src/testing/index';
import { openPage, useChromium } from '../support/browser';

describe('cdp-release-batcher/testing: proof of a release by its effect, against a real Chromium', () => {
  const chromium = useChromium();

  it('mints objects the inspector holds, counts which ids Chrome still knows, and sees the heap come back', async () => {
    const page = await openPage(chromium.current.port);
    try {
      const send = sendOf(page.client);
      const before = await heapAfterGc(send);
      const ids = await mintObjects(send, 3000, 64);
      expect(new Set(ids).size).toBe(3000);
      expect(await countAlive(send, ids)).toEqual({ alive: 3000, notFound: 0, other: [] });
      const holding = await heapAfterGc(send);
      expect(holding).toBeGreaterThan(before + 500_000); // 3,000 objects with an array of 64 numbers each, held

      await Promise.all(ids.slice(0, 1000).map((objectId) => page.client.Runtime.releaseObject({ objectId })));
      expect(await countAlive(send, ids)).toEqual({ alive: 2000, notFound: 1000, other: [] });
      await Promise.all(ids.slice(1000).map((objectId) => page.client.Runtime.releaseObject({ objectId })));
      expect(await heapAfterGc(send)).toBeLessThan(before + (holding - before) / 10);
    } finally {
      await page.close();
    }
  });

  it('mints into an object group, so one Runtime.releaseObjectGroup releases them all', async () => {
    const page = await openPage(chromium.current.port);
    try {
      const send = sendOf(page.client);
      const ids = await mintObjects(send, 1500, 4, 'kit-group');
      await page.client.Runtime.releaseObjectGroup({ objectGroup: 'kit-group' });
      expect(await countAlive(send, ids)).toEqual({ alive: 0, notFound: 1500, other: [] });
    } finally {
      await page.close();
    }
  });

  it('ids belong to one session: asked on another, every one is "not found"; a closed session answers otherwise', async () => {
    const page = await openPage(chromium.current.port);
    const browser = await puppeteer.connect({ browserWSEndpoint: chromium.current.browserWSEndpoint, defaultViewport: null });
    try {
      const ids = await mintObjects(sendOf(page.client), 200, 4);
      const target = await browser.waitForTarget((t) => t.url() === 'about:blank' && (t as unknown as { _targetId: string })._targetId === page.targetId);
      const other = await target.createCDPSession(); // a puppeteer-core session on the same page
      expect(await countAlive(sendOf(other), ids)).toEqual({ alive: 0, notFound: 200, other: [] });
      await other.detach();
      const closed = await countAlive(sendOf(other), ids.slice(0, 3));
      expect(closed.alive + closed.notFound).toBe(0);
      expect(closed.other).toHaveLength(3);
      expect(await countAlive(sendOf(page.client), ids)).toEqual({ alive: 200, notFound: 0, other: [] });
    } finally {
      await browser.disconnect();
      await page.close();
    }
  });

  it('sendOf speaks flat mode for a chrome-remote-interface session id', async () => {
    const { port, browserWSEndpoint } = chromium.current;
    const page = await openPage(port);
    const client = await CDP({ target: browserWSEndpoint });
    try {
      const { sessionId } = await client.Target.attachToTarget({ targetId: page.targetId, flatten: true });
      const send = sendOf(client, sessionId);
      const ids = await mintObjects(send, 50, 4);
      expect(await countAlive(send, ids)).toEqual({ alive: 50, notFound: 0, other: [] });
    } finally {
      await client.close();
      await page.close();
    }
  });
});
