import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import CDP from 'chrome-remote-interface';
import { criSession } from '../../src/criSession';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import { statsBalance, type ReleaseStats } from '../../src/stats';
import type { CdpTarget } from '../../src/target';
import { countAlive, heapAfterGc, launchChromium, mintObjects, noUnhandledRejections, sendOf, useChromium, type Client, type SessionSend } from '../support/browser';
import { recordFigures } from '../support/figures';
import { heapUsedAfterGc } from '../support/gc';

jest.setTimeout(120_000);

const DOOMED = 5_000;
const OTHER = 2_000;
/** Releases enqueued to the faulted target after the fault: a gone target drops them at once. */
const LATE = Array.from({ length: 100 }, (_, i) => `late-${i}`);

/** A page in a browser context of its own (so its own renderer process), with a page-level client. */
async function isolatedPage(browser: Client, port: number, url = 'about:blank'): Promise<{ client: Client; send: SessionSend; targetId: string; close: () => Promise<void> }> {
  const { browserContextId } = await browser.Target.createBrowserContext({});
  const { targetId } = await browser.Target.createTarget({ url, browserContextId });
  const client = await CDP({ port, target: targetId });
  return {
    client,
    send: sendOf(client),
    targetId,
    close: async () => {
      await client.close().catch(() => undefined);
      await browser.Target.disposeBrowserContext({ browserContextId }).catch(() => undefined);
    },
  };
}

interface FaultRun {
  /** The target the fault hits, and the ids minted on it. */
  doomed: { target: CdpTarget; ids: string[] };
  /** A page elsewhere that must keep releasing; its heap (after GC) before its objects were minted. */
  other: { target: CdpTarget; send: SessionSend; ids: string[]; heapBeforeBytes: number };
  /** Strikes mid-burst: the doomed target's releases are enqueued, some in flight; calls `striking()` just before the blow. */
  fault: (striking: () => void) => Promise<void>;
  /** Releases enqueued after the fault; they too must end in one outcome each. */
  late: { target: CdpTarget; ids: string[] };
  timeoutMs?: number;
  /** flush() must settle within this (ms). */
  boundMs: number;
}

interface FaultResult { stats: ReleaseStats; atStrike: ReleaseStats | null; flushMs: number; otherReleasedMs: number; nodeHeapDeltaBytes: number; otherPageHeap: { beforeBytes: number; afterBytes: number } }

/**
 * The common promises of every fault: no throw from release(), no unhandled rejection, flush()
 * within its bound, the accounting invariant, nothing failed or left pending, the other page's
 * objects really gone and its heap back, and Node's heap back to where it was before the burst.
 */
async function survives(name: string, run: () => Promise<FaultRun>): Promise<FaultResult> {
  const setup = await run();
  const otherHeapBefore = setup.other.heapBeforeBytes;
  const baseline = await heapUsedAfterGc();
  const { result, unhandled } = await noUnhandledRejections(async () => {
    const batcher = new ReleaseBatcher(setup.timeoutMs === undefined ? {} : { timeoutMs: setup.timeoutMs });
    const t0 = performance.now();
    let otherReleasedMs = Number.NaN;
    const watch = batcher.stats$.subscribe((s) => {
      if (Number.isNaN(otherReleasedMs) && s.released >= setup.other.ids.length) otherReleasedMs = performance.now() - t0;
    });
    const enqueue = (target: CdpTarget, ids: readonly string[]): void => {
      for (const id of ids) expect(() => batcher.release(target, id)).not.toThrow();
    };
    enqueue(setup.doomed.target, setup.doomed.ids);
    let atStrike: ReleaseStats | null = null;
    await setup.fault(() => (atStrike = batcher.stats));
    enqueue(setup.other.target, setup.other.ids);
    enqueue(setup.late.target, setup.late.ids);
    const f0 = performance.now();
    await batcher.flush();
    const flushMs = performance.now() - f0;
    const stats = batcher.stats;
    await batcher.close();
    watch.unsubscribe();
    return { stats, flushMs, otherReleasedMs, atStrike: atStrike as ReleaseStats | null };
  });
  expect(unhandled).toEqual([]);
  const { stats, flushMs, otherReleasedMs, atStrike } = result;
  expect(flushMs).toBeLessThan(setup.boundMs);
  expect(statsBalance(stats)).toBe(true);
  expect(stats).toMatchObject({ enqueued: setup.doomed.ids.length + setup.other.ids.length + setup.late.ids.length, pending: 0, inFlight: 0, failed: 0, invalid: 0, duplicate: 0 });
  expect(stats.released).toBeGreaterThanOrEqual(setup.other.ids.length);
  expect(await countAlive(setup.other.send, setup.other.ids)).toEqual({ alive: 0, notFound: setup.other.ids.length, other: [] });
  const otherHeapAfter = await heapAfterGc(setup.other.send);
  expect(Math.abs(otherHeapAfter - otherHeapBefore) / otherHeapBefore).toBeLessThan(0.1);
  const nodeHeapDeltaBytes = (await heapUsedAfterGc()) - baseline;
  // 5,000 pending releases alone hold ~0.9 MB. Weighed on the real build only: under StrykerJS
  // (`npm run mutation`) the instrumented library records per-test coverage in this same heap.
  if (!('__stryker__' in globalThis)) expect(nodeHeapDeltaBytes).toBeLessThan(1.5 * 1024 * 1024);
  const figures: FaultResult = { stats, atStrike, flushMs: Math.round(flushMs), otherReleasedMs: Math.round(otherReleasedMs), nodeHeapDeltaBytes, otherPageHeap: { beforeBytes: otherHeapBefore, afterBytes: otherHeapAfter } };
  recordFigures(`fault-${name}`, { boundMs: setup.boundMs, ...figures });
  return figures;
}

/**
 * The fault struck the burst itself, not only the late releases: when it struck, some of the doomed
 * target's releases were still unsettled, and more releases ended gone or dropped than the late ones.
 */
function expectStruckMidBurst(r: FaultResult): void {
  expect(r.atStrike).not.toBeNull();
  expect((r.atStrike?.pending ?? 0) + (r.atStrike?.inFlight ?? 0)).toBeGreaterThan(0);
  expect(r.stats.gone + r.stats.dropped).toBeGreaterThan(LATE.length);
}

describe('faults against a real Chromium: the batcher keeps working and accounts for everything', () => {
  const chromium = useChromium();
  let browser: Client;
  let other: Awaited<ReturnType<typeof isolatedPage>>;
  beforeAll(async () => {
    browser = await CDP({ port: chromium.current.port, target: chromium.current.browserWSEndpoint });
  });
  beforeEach(async () => {
    other = await isolatedPage(browser, chromium.current.port);
  });
  afterEach(async () => {
    await other.close();
  });
  afterAll(async () => {
    await browser.close();
  });
  const otherPart = async (): Promise<FaultRun['other']> => {
    // Warm up first: the first mint compiles its code, which stays (as in the demo's warm-up page).
    const warm = await mintObjects(other.send, 1_000, 4);
    await Promise.all(warm.map((objectId) => other.send('Runtime.releaseObject', { objectId })));
    await countAlive(other.send, warm.slice(0, 10));
    const heapBeforeBytes = await heapAfterGc(other.send);
    return { target: other.client, send: other.send, ids: await mintObjects(other.send, OTHER, 4), heapBeforeBytes };
  };

  /** A page attached in flat mode on the browser connection. */
  async function flatPage(): Promise<{ targetId: string; sessionId: string; target: CdpTarget; send: SessionSend }> {
    const { targetId } = await browser.Target.createTarget({ url: 'about:blank' });
    const { sessionId } = await browser.Target.attachToTarget({ targetId, flatten: true });
    return { targetId, sessionId, target: criSession(browser, sessionId), send: sendOf(browser, sessionId) };
  }

  it.each([
    ['renderer crash (Page.crash)', 'renderer-crash', (page: { send: SessionSend }): void => {
      // Chrome never answers this command; its rejection at detach is caught
      page.send('Page.crash').catch(() => undefined);
    }],
    ['tab closed (Target.closeTarget)', 'tab-closed', (page: { targetId: string }): Promise<unknown> => browser.Target.closeTarget({ targetId: page.targetId })],
  ])('%s mid-burst', async (_title, name, strike) => {
    const page = await flatPage();
    const r = await survives(name, async () => ({
      doomed: { target: page.target, ids: await mintObjects(page.send, DOOMED, 4) },
      other: await otherPart(),
      fault: async (striking) => {
        await new Promise((r) => setTimeout(r, 10)); // some answered, some in flight, the rest waiting
        striking();
        await strike(page);
        await new Promise((r) => setTimeout(r, 50));
      },
      late: { target: page.target, ids: LATE },
      boundMs: 2_000,
    }));
    expectStruckMidBurst(r);
    expect(r.stats.timedOut).toBe(0);
    await browser.Target.closeTarget({ targetId: page.targetId }).catch(() => undefined);
  });

  describe('cross-origin navigation mid-burst', () => {
    let site: Server;
    let port = 0;
    beforeAll(async () => {
      site = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>page</title><p>hello</p>'));
      await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
      port = (site.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise((r) => site.close(r));
    });

    it('the old document\'s releases end gone; the target is not forgotten: the new document\'s objects release', async () => {
      const page = await isolatedPage(browser, chromium.current.port, `http://127.0.0.1:${port}/a`);
      try {
        await page.client.Page.enable();
        let fresh: string[] = [];
        const r = await survives('cross-origin-navigation', async () => ({
          doomed: { target: page.client, ids: await mintObjects(page.send, DOOMED, 4) },
          other: await otherPart(),
          fault: async () => {
            // 127.0.0.1 → localhost: another site, so another renderer process and a new context
            const loaded = page.client.Page.loadEventFired();
            await page.client.Page.navigate({ url: `http://localhost:${port}/b` });
            await loaded;
            fresh = await mintObjects(page.send, 500, 4);
          },
          get late() {
            return { target: page.client, ids: fresh };
          },
          boundMs: 3_000, // calls in flight to the swapped-out renderer may be dropped: judged lost after 1 s
        }));
        expect(r.stats.timedOut + r.stats.dropped).toBe(0);
        expect(r.stats.released + r.stats.gone).toBe(DOOMED + OTHER + 500);
        expect(r.stats.released).toBeGreaterThanOrEqual(OTHER + 500);
        expect(await countAlive(page.send, fresh)).toEqual({ alive: 0, notFound: 500, other: [] });
      } finally {
        await page.close();
      }
    });
  });

  it('a renderer stuck in an endless loop: its releases time out within timeoutMs, the other page releases meanwhile', async () => {
    const page = await isolatedPage(browser, chromium.current.port);
    const timeoutMs = 5_000;
    try {
      const r = await survives('endless-loop', async () => ({
        doomed: { target: page.client, ids: await mintObjects(page.send, DOOMED, 4) },
        other: await otherPart(),
        fault: async () => {
          page.client.Runtime.evaluate({ expression: 'for (;;) {}' }).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 100));
        },
        late: { target: page.client, ids: [] },
        timeoutMs,
        boundMs: timeoutMs + 1_000,
      }));
      expect(r.stats.timedOut).toBeGreaterThan(0);
      // not held hostage: the other page's releases were all done long before the stuck one's timeout
      expect(r.otherReleasedMs).toBeLessThan(timeoutMs);
    } finally {
      await page.client.Runtime.terminateExecution().catch(() => undefined);
      await page.close();
    }
  });

  it('the browser process killed mid-burst', async () => {
    const victim = await launchChromium();
    try {
      const target = await CDP.New({ port: victim.port });
      const client = await CDP({ port: victim.port, target: target.id });
      const r = await survives('browser-killed', async () => ({
        doomed: { target: client, ids: await mintObjects(sendOf(client), DOOMED, 4) },
        other: await otherPart(),
        fault: async (striking) => {
          await new Promise((r) => setTimeout(r, 20));
          striking();
          process.kill(-victim.pid, 'SIGKILL');
        },
        late: { target: client, ids: LATE },
        boundMs: 2_000,
      }));
      expectStruckMidBurst(r);
      expect(r.stats.timedOut).toBe(0);
    } finally {
      await victim.close();
    }
  });

  it('the WebSocket cut (a loopback proxy between client and Chrome drops both connections)', async () => {
    const sockets = new Set<Socket>();
    const proxy = createTcpServer((inbound) => {
      const outbound = connect(chromium.current.port, '127.0.0.1');
      sockets.add(inbound).add(outbound);
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('error', () => undefined);
      outbound.on('error', () => undefined);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const proxyPort = (proxy.address() as AddressInfo).port;
    const page = await CDP.New({ port: chromium.current.port });
    try {
      const client = await CDP({ target: `ws://127.0.0.1:${proxyPort}/devtools/page/${page.id}` });
      const r = await survives('websocket-cut', async () => ({
        doomed: { target: client, ids: await mintObjects(sendOf(client), DOOMED, 4) },
        other: await otherPart(),
        fault: async (striking) => {
          await new Promise((r) => setTimeout(r, 20));
          striking();
          for (const s of sockets) s.destroy();
        },
        late: { target: client, ids: LATE },
        boundMs: 2_000,
      }));
      expectStruckMidBurst(r);
      expect(r.stats.timedOut).toBe(0);
    } finally {
      await new Promise((r) => proxy.close(r));
      await CDP.Close({ port: chromium.current.port, id: page.id }).catch(() => undefined);
    }
  });
});
