// The benchmark's connections to one page of one browser, through each client, and how each mints objects.
import CDP from 'chrome-remote-interface';
import type { Browser, CDPSession, JSHandle, Page } from 'puppeteer-core';
import { RemoteObjectCensus, type ClientHandle } from 'cdp-release-batcher';
import { sendOf, type SessionSend } from 'cdp-release-batcher/testing';
import type { RawCdpClient } from './rawCdp.js';
import type { Minted } from './types.js';

export interface PuppeteerConnection { browser: Browser; page: Page; session: CDPSession; send: SessionSend; pageSend: SessionSend }

export interface Connections {
  cri: CDP.Client;
  criSend: SessionSend;
  raw: RawCdpClient;
  rawSend: SessionSend;
  puppeteer: PuppeteerConnection | null;
  playwright: PlaywrightConnection | null;
  /** puppeteer-core again, through a census: its transport, and its relay. */
  census: { census: RemoteObjectCensus; transport: PuppeteerConnection; relay: PuppeteerConnection; closeRelay: () => Promise<void> } | null;
}

export const PAGE_URL = 'about:blank#cdp-release-bench';

/** `n` fresh objects as puppeteer JSHandles on the page's own session (what `dispose()` releases). */
export async function mintHandles(page: Page, n: number): Promise<JSHandle[]> {
  const handles: JSHandle[] = [];
  while (handles.length < n) {
    const count = Math.min(1000, n - handles.length);
    const array = await page.evaluateHandle((c: number) => Array.from({ length: c }, (_, i) => ({ i, data: new Array(4).fill(i) as number[] })), count);
    const props = await array.getProperties();
    for (const [name, handle] of props) if (/^\d+$/.test(name)) handles.push(handle);
    await array.dispose();
  }
  return handles;
}

export interface PlaywrightConnection {
  browser: import('playwright-core').Browser;
  page: import('playwright-core').Page;
  /** A session of its own on the page, for the heap's garbage collection only. */
  send: SessionSend;
}

/**
 * `n` fresh objects as playwright JSHandles. Playwright's handles do not show their object ids, so
 * the page keeps a `WeakRef` to each object: `verify` collects the page's garbage and checks that
 * none of them is alive any more — the release proven by its effect, in Chrome.
 */
export async function mintPlaywrightHandles(w: PlaywrightConnection, n: number): Promise<Minted> {
  const handles: ClientHandle[] = [];
  await w.page.evaluate(() => {
    (globalThis as unknown as { benchRefs: WeakRef<object>[] }).benchRefs = [];
  });
  while (handles.length < n) {
    const count = Math.min(1000, n - handles.length);
    const array = await w.page.evaluateHandle((c: number) => {
      const objects = Array.from({ length: c }, (_, i) => ({ i, data: new Array(4).fill(i) as number[] }));
      const refs = (globalThis as unknown as { benchRefs: WeakRef<object>[] }).benchRefs;
      for (const o of objects) refs.push(new WeakRef(o));
      return objects;
    }, count);
    for (const [name, handle] of await array.getProperties()) if (/^\d+$/.test(name)) handles.push(handle);
    await array.dispose();
  }
  const verify = async (): Promise<void> => {
    await w.send('HeapProfiler.collectGarbage', {});
    const alive = await w.page.evaluate(() => (globalThis as unknown as { benchRefs: WeakRef<object>[] }).benchRefs.filter((r) => r.deref() !== undefined).length);
    if (alive !== 0) throw new Error(`playwright-core: ${alive} of ${n} objects still alive after the release and a garbage collection`);
  };
  return { ids: [], handles, verify };
}

export async function connectPlaywright(browserWSEndpoint: string, log: (line: string) => void): Promise<PlaywrightConnection | null> {
  let chromium: (typeof import('playwright-core'))['chromium'];
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    log('playwright-core is not installed: its strategies are skipped (npm install playwright-core)');
    return null;
  }
  const browser = await chromium.connectOverCDP(browserWSEndpoint);
  const context = browser.contexts()[0];
  if (context === undefined) throw new Error('playwright-core found no browser context');
  const page = await context.newPage();
  const session = await page.context().newCDPSession(page);
  return { browser, page, send: sendOf(session) };
}

type ConnectOptions = Parameters<(typeof import('puppeteer-core'))['connect']>[0];

export async function connectPuppeteer(browserWSEndpoint: string, log: (line: string) => void, via: (endpoint: string) => Promise<ConnectOptions> = (endpoint) => Promise.resolve({ browserWSEndpoint: endpoint })): Promise<PuppeteerConnection | null> {
  let connect: (typeof import('puppeteer-core'))['connect'];
  try {
    ({ connect } = await import('puppeteer-core'));
  } catch {
    log('puppeteer-core is not installed: its strategies are skipped (npm install puppeteer-core)');
    return null;
  }
  const browser = await connect({ ...await via(browserWSEndpoint), defaultViewport: null, protocolTimeout: 600_000 });
  const target = await browser.waitForTarget((t) => t.url() === PAGE_URL, { timeout: 10_000 });
  const page = await target.page();
  if (page === null) throw new Error('puppeteer-core did not find the benchmark page');
  const session = await page.createCDPSession();
  // The page's own session (the one JSHandle.dispose() uses), to check its objects are gone.
  const pageSession = (page as unknown as { _client(): CDPSession })._client();
  return { browser, page, session, send: sendOf(session), pageSend: sendOf(pageSession) };
}

/** puppeteer-core twice more, through one census: once over its transport, once over its relay. */
export async function connectThroughCensus(browserWSEndpoint: string, log: (line: string) => void): Promise<Connections['census']> {
  const census = new RemoteObjectCensus();
  const { NodeWebSocketTransport } = await import('puppeteer-core/internal/node/NodeWebSocketTransport.js');
  const transport = await connectPuppeteer(browserWSEndpoint, log, async (endpoint) => ({ transport: census.transport(await NodeWebSocketTransport.create(endpoint)) }));
  const relayed = await census.relay(browserWSEndpoint);
  const relay = await connectPuppeteer(browserWSEndpoint, log, () => Promise.resolve({ browserWSEndpoint: relayed.endpoint }));
  if (transport === null || relay === null) {
    await census.close();
    return null;
  }
  return { census, transport, relay, closeRelay: () => relayed.close() };
}
