import CDP from 'chrome-remote-interface';
import { chromium as playwright } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import type { CdpTarget } from '../../src/target';
import { countAlive, mintObjects, sendOf, useChromium, type SessionSend } from '../support/browser';

jest.setTimeout(120_000);

/** Mints, releases through a batcher with `target`, and checks Chrome forgot every id. */
async function releaseRoundTrip(target: CdpTarget, send: SessionSend): Promise<void> {
  const ids = await mintObjects(send, 3_000);
  const batcher = new ReleaseBatcher();
  for (const id of ids) batcher.release(target, id);
  await using scope = batcher.scope(target);
  const grouped = await mintObjects(send, 1_000, 16, scope.objectGroup);
  await batcher.flush();
  expect(batcher.stats).toMatchObject({ enqueued: 3_000, released: 3_000, failed: 0, gone: 0 });
  expect(await countAlive(send, ids.slice(0, 500))).toEqual({ alive: 0, notFound: 500, other: [] });
  expect(await countAlive(send, grouped.slice(0, 100))).toMatchObject({ alive: 100 });
  await scope[Symbol.asyncDispose]();
  expect(await countAlive(send, grouped)).toEqual({ alive: 0, notFound: 1_000, other: [] });
  await batcher.close();
}

describe('the three clients release real objects (Debian Chromium, never a downloaded browser)', () => {
  const chromium = useChromium();

  it('puppeteer-core CDPSession', async () => {
    const browser = await puppeteer.connect({ browserWSEndpoint: chromium.current.browserWSEndpoint });
    try {
      const page = await browser.newPage();
      const session = await page.createCDPSession();
      const target: CdpTarget = session; // no cast
      const send = sendOf(session);
      await releaseRoundTrip(target, send);
      await page.close();
    } finally {
      await browser.disconnect();
    }
  });

  it('playwright-core CDPSession', async () => {
    const browser = await playwright.connectOverCDP(`http://127.0.0.1:${chromium.current.port}`);
    try {
      const context = browser.contexts()[0] ?? (await browser.newContext());
      const page = await context.newPage();
      const session = await context.newCDPSession(page);
      const target: CdpTarget = session; // no cast
      const send = sendOf(session);
      await releaseRoundTrip(target, send);
      await page.close();
    } finally {
      await browser.close(); // over CDP: disconnects, leaves the browser to useChromium
    }
  });

  it('chrome-remote-interface client', async () => {
    const tab = await CDP.New({ port: chromium.current.port });
    const client = await CDP({ port: chromium.current.port, target: tab.id });
    try {
      const target: CdpTarget = client; // no cast
      const send = sendOf(client);
      await releaseRoundTrip(target, send);
    } finally {
      await client.close();
      await CDP.Close({ port: chromium.current.port, id: tab.id });
    }
  });
});
