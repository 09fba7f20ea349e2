import CDP from 'chrome-remote-interface';
import { launchChromium } from '../../src/browser/launchChromium';
import { criSession } from '../../src/criSession';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import { statsBalance, type ReleaseStats } from '../../src/stats';
import { countAlive, mintObjects, noUnhandledRejections, sendOf, useChromium, type Client } from '../support/browser';

jest.setTimeout(120_000);

/** A page attached in flat mode on a browser-level connection. */
async function attachPage(browser: Client): Promise<{ targetId: string; sessionId: string }> {
  const { targetId } = await browser.Target.createTarget({ url: 'about:blank' });
  const { sessionId } = await browser.Target.attachToTarget({ targetId, flatten: true });
  return { targetId, sessionId };
}

/**
 * Enqueues and ends a target inside `body`, then times `flush()`, closes the batcher and checks the
 * common promises: no unhandled rejection, flush within 2 s, nothing pending, in flight, timed out or
 * failed, and the accounting invariant. Returns the final stats.
 */
async function endsCleanly(enqueued: number, body: (batcher: ReleaseBatcher) => Promise<void>): Promise<ReleaseStats> {
  const { result, unhandled } = await noUnhandledRejections(async () => {
    const batcher = new ReleaseBatcher();
    await body(batcher);
    const t0 = performance.now();
    await batcher.flush();
    const ms = performance.now() - t0;
    const stats = batcher.stats;
    await batcher.close();
    return { ms, stats };
  });
  expect(unhandled).toEqual([]);
  expect(result.ms).toBeLessThan(2_000);
  expect(statsBalance(result.stats)).toBe(true);
  expect(result.stats).toMatchObject({ enqueued, pending: 0, inFlight: 0, timedOut: 0, failed: 0 });
  return result.stats;
}

describe('target lifecycle against a real Chromium (default timeoutMs: 30 s)', () => {
  const chromium = useChromium();
  let browser: Client;
  beforeAll(async () => {
    browser = await CDP({ port: chromium.current.port, target: chromium.current.browserWSEndpoint });
  });
  afterAll(async () => {
    await browser.close();
  });

  it.each([
    ['Target.closeTarget with 5,000 releases pending', async (b: Client, p: { targetId: string; sessionId: string }) => {
      await b.Target.closeTarget({ targetId: p.targetId });
    }],
    ['Page.crash', async (b: Client, p: { targetId: string; sessionId: string }) => {
      // Chrome never answers this command: not awaited, its rejection at disconnect is caught
      (b.send as unknown as (m: string, params: object, s: string) => Promise<unknown>)('Page.crash', {}, p.sessionId).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 0));
    }],
  ])('%s: flush settles within 2 s, nothing throws, other pages still release', async (_name, end) => {
    const doomed = await attachPage(browser);
    const other = await attachPage(browser);
    const doomedIds = await mintObjects(sendOf(browser, doomed.sessionId), 5_000);
    const otherIds = await mintObjects(sendOf(browser, other.sessionId), 2_000);
    const doomedTarget = criSession(browser, doomed.sessionId);
    const otherTarget = criSession(browser, other.sessionId);

    const s = await endsCleanly(7_100, async (batcher) => {
      for (const id of doomedIds) batcher.release(doomedTarget, id);
      const ending = end(browser, doomed);
      for (const id of otherIds) batcher.release(otherTarget, id);
      await ending;
      for (const id of doomedIds.slice(0, 100)) expect(() => batcher.release(doomedTarget, `${id}-late`)).not.toThrow();
    });
    expect(s.released).toBeGreaterThanOrEqual(2_000);
    expect(s.released + s.gone + s.dropped).toBe(7_100);
    expect(await countAlive(sendOf(browser, other.sessionId), otherIds.slice(0, 300))).toEqual({ alive: 0, notFound: 300, other: [] });
    await browser.Target.closeTarget({ targetId: other.targetId });
    await browser.Target.closeTarget({ targetId: doomed.targetId }).catch(() => undefined);
  });

  it('the browser process killed mid-burst: flush settles within 2 s; another browser releases on', async () => {
    const victim = await launchChromium();
    try {
      const client = await CDP({ port: victim.port });
      const ids = await mintObjects(sendOf(client), 20_000, 4);
      const page = await CDP.New({ port: chromium.current.port });
      const survivor = await CDP({ port: chromium.current.port, target: page.id });
      const survivorIds = await mintObjects(sendOf(survivor), 2_000);

      const s = await endsCleanly(22_000, async (batcher) => {
        for (const id of ids) batcher.release(client, id);
        for (const id of survivorIds) batcher.release(survivor, id);
        await new Promise((r) => setTimeout(r, 30)); // mid-burst
        process.kill(-victim.pid, 'SIGKILL');
      });
      expect(s.gone + s.dropped).toBeGreaterThan(0);
      expect(await countAlive(sendOf(survivor), survivorIds)).toEqual({ alive: 0, notFound: 2_000, other: [] });
      await survivor.close();
      await CDP.Close({ port: chromium.current.port, id: page.id });
    } finally {
      await victim.close();
    }
  });
});
