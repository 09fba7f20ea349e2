import { get } from 'node:http';
import { chromium as playwright } from 'playwright-core';
import puppeteer, { type Page } from 'puppeteer-core';
import { NodeWebSocketTransport } from 'puppeteer-core/internal/node/NodeWebSocketTransport.js';
import WebSocket from 'ws';
import { auditHeldObjects } from '../../src/audit';
import { RemoteObjectCensus } from '../../src/census';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import { useChromium } from '../support/browser';

jest.setTimeout(180_000);

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 100));

/** Resolves when `done()` holds; fails after `ms` (a bound on a hang, not a timing). */
function until(done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (done()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(check, 20);
    };
    check();
  });
}

/** The census's figure for the page whose url is `url`, and the heap snapshot's through `session`. */
async function compare(census: RemoteObjectCensus, session: Parameters<typeof auditHeldObjects>[0], url: string): Promise<{ census: number; audit: number }> {
  await settle();
  const audit = await auditHeldObjects(session);
  const page = census.snapshot().pages.find((p) => p.url === url);
  return { census: page?.held ?? -1, audit: audit.held };
}

const HTML = 'data:text/html,<ul><li>a</li><li>b</li><li>c</li></ul>';

/** The mix every client gets: handles, `$$`, properties, console arguments, exceptions. */
const mix = `
  window.kept = [];
  for (let i = 0; i < 5; i++) console.log({ i }, [i]);
  setTimeout(() => { throw new Error('uncaught'); }, 0);
`;

describe('RemoteObjectCensus through puppeteer-core\'s transport and through the relay, against heap snapshots of real Chromium', () => {
  const chromium = useChromium();

  it('puppeteer-core through census.transport: handles, $$, getProperties, console arguments, exceptions; released by the batcher, by dispose(), by navigation and by page close', async () => {
    const census = new RemoteObjectCensus();
    const transport = census.transport(await NodeWebSocketTransport.create(chromium.current.browserWSEndpoint));
    const browser = await puppeteer.connect({ transport });
    let page: Page | null = null;
    try {
      page = await browser.newPage();
      page.on('console', (message) => void message.text()); // a listener that only reads the text
      await page.goto(HTML);
      const audit = await page.createCDPSession();
      const start = await compare(census, audit, HTML);
      expect(start.census).toBe(start.audit);

      const handles = [];
      for (let i = 0; i < 200; i++) handles.push(await page.evaluateHandle((n) => ({ n, nested: { n } }), i));
      const items = await page.$$('li');
      const properties = await handles[0]!.getProperties();
      await page.evaluate(mix);
      await settle();
      const mixed = await compare(census, audit, HTML);
      expect(mixed.census).toBeGreaterThan(210);
      expect(mixed.census).toBe(mixed.audit);
      expect(census.snapshot().pages.find((p) => p.url === HTML)?.heldBy).toMatchObject({ 'Runtime.callFunctionOn': expect.any(Number), 'Runtime.getProperties': expect.any(Number), 'console storage': 10 });

      const batcher = new ReleaseBatcher();
      for (const handle of handles.slice(0, 100)) batcher.release(handle);
      await batcher.flush();
      await Promise.all([...handles.slice(100), ...items].map((h) => h.dispose()));
      for (const handle of properties.values()) await handle.dispose();
      const released = await compare(census, audit, HTML);
      expect(released.census).toBe(released.audit);
      expect(census.snapshot().pages.find((p) => p.url === HTML)?.releasedBy.id).toBeGreaterThanOrEqual(200);

      await page.evaluateHandle(() => document.body);
      await page.goto('data:text/html,<p>next</p>');
      const navigated = await compare(census, audit, 'data:text/html,<p>next</p>');
      expect(navigated.census).toBe(navigated.audit);
      await audit.detach();
      await batcher.close();

      await page.evaluateHandle(() => ({}));
      await settle();
      const next = 'data:text/html,<p>next</p>';
      expect(census.snapshot().pages.find((p) => p.url === next)?.held).toBeGreaterThan(0);
      await page.close();
      page = null;
      await settle();
      expect(census.snapshot().pages.some((p) => p.url === next)).toBe(false);
    } finally {
      await page?.close().catch(() => undefined);
      await browser.disconnect();
      await census.close();
    }
  });

  it('puppeteer-core through census.transport at 20,000 handles: the census equals the heap snapshot, and both drop by 20,000 once the batcher released them', async () => {
    const census = new RemoteObjectCensus();
    const browser = await puppeteer.connect({ transport: census.transport(await NodeWebSocketTransport.create(chromium.current.browserWSEndpoint)) });
    try {
      const page = await browser.newPage();
      await page.goto(HTML);
      const audit = await page.createCDPSession();
      const baseline = await compare(census, audit, HTML);
      expect(baseline.census).toBe(baseline.audit);
      const handles = [];
      for (let wave = 0; wave < 20; wave++) {
        const array = await page.evaluateHandle(() => Array.from({ length: 1000 }, (_, i) => ({ i })));
        for (const [name, handle] of await array.getProperties()) if (/^\d+$/.test(name)) handles.push(handle);
        await array.dispose();
      }
      expect(handles).toHaveLength(20_000);
      // Each wave's getProperties also handed out the array's prototype (20 handles kept here).
      const held = await compare(census, audit, HTML);
      expect(held).toEqual({ census: baseline.census + 20_020, audit: baseline.audit + 20_020 });
      const batcher = new ReleaseBatcher();
      for (const handle of handles) batcher.release(handle);
      await batcher.close();
      expect(await compare(census, audit, HTML)).toEqual({ census: baseline.census + 20, audit: baseline.audit + 20 });
      await audit.detach();
      await page.close();
    } finally {
      await browser.disconnect();
      await census.close();
    }
  });

  it('playwright-core through census.relay (connectOverCDP with the relay\'s http URL): handles, $$, console arguments; released by dispose(), by navigation and by page close', async () => {
    const census = new RemoteObjectCensus();
    const relay = await census.relay(chromium.current.browserWSEndpoint);
    const browser = await playwright.connectOverCDP(relay.browserURL);
    try {
      const context = browser.contexts()[0] ?? await browser.newContext();
      const page = await context.newPage();
      await page.goto(HTML);
      const audit = await context.newCDPSession(page);
      const handles = [];
      for (let i = 0; i < 200; i++) handles.push(await page.evaluateHandle((n) => ({ n }), i));
      const items = await page.$$('li');
      await page.evaluate(mix);
      await settle();
      const mixed = await compare(census, audit, HTML);
      expect(mixed.census).toBeGreaterThan(200);
      expect(mixed.census).toBe(mixed.audit);

      await Promise.all([...handles, ...items].map((h) => h.dispose()));
      const released = await compare(census, audit, HTML);
      expect(released.census).toBe(released.audit);

      await page.evaluateHandle(() => ({}));
      await page.goto('data:text/html,<p>next</p>');
      const navigated = await compare(census, audit, 'data:text/html,<p>next</p>');
      expect(navigated.census).toBe(navigated.audit);
      await audit.detach();
      const before = census.snapshot().pages.length;
      await page.close();
      await settle();
      expect(census.snapshot().pages.length).toBeLessThan(before);
      expect(census.snapshot().pages.some((p) => p.url === 'data:text/html,<p>next</p>')).toBe(false);
    } finally {
      await browser.close();
      await relay.close();
      await census.close();
    }
  });

  it('the relay answers /json/version with its own WebSocket URL, refuses a foreign Host and other methods, and survives hostile frames', async () => {
    const census = new RemoteObjectCensus();
    const relay = await census.relay(`http://127.0.0.1:${chromium.current.port}`);
    try {
      const version = await fetch(`${relay.browserURL}/json/version`).then((r) => r.json()) as { webSocketDebuggerUrl: string; Browser: string };
      expect(version.webSocketDebuggerUrl).toBe(relay.endpoint);
      expect(version.Browser).toMatch(/Chrome/);
      expect((await fetch(`${relay.browserURL}/json/version`, { method: 'POST' })).status).toBe(405);
      expect((await fetch(`${relay.browserURL}/nothing`)).status).toBe(404);
      const foreign = await new Promise<number>((resolve) => {
        get(`${relay.browserURL}/json/version`, { headers: { host: 'evil.example:80' } }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
      });
      expect(foreign).toBe(500);

      const socket = new WebSocket(relay.endpoint);
      await new Promise((r) => socket.once('open', r));
      const answers: string[] = [];
      socket.on('message', (data: Buffer) => answers.push(data.toString()));
      for (const frame of ['not json', '{"id":', '[1,2]', '{"id":"x","method":5}', '{"id":1,"method":"Runtime.releaseObject","params":{"objectId":{}}}', JSON.stringify({ id: 2, method: 'Browser.getVersion', params: { deep: JSON.parse('['.repeat(500) + ']'.repeat(500)) } })]) socket.send(frame);
      socket.send(JSON.stringify({ id: 3, method: 'Browser.getVersion' }));
      await until(() => answers.some((a) => a.startsWith('{"id":3,')));
      expect(answers.find((a) => a.startsWith('{"id":3,'))).toContain('"product"');
      expect(answers.filter((a) => a.includes('"error"')).length).toBe(6); // Chrome's own answers to each, passed back

      // Chrome closes a connection that sends a binary frame: the relay closes that pair, and only that one.
      const binary = new WebSocket(relay.endpoint);
      await new Promise((r) => binary.once('open', r));
      const closed = new Promise<number>((resolve) => binary.once('close', resolve));
      binary.send(Buffer.from([0, 1, 2]), { binary: true });
      expect(await closed).toBeGreaterThanOrEqual(1000);
      socket.send(JSON.stringify({ id: 4, method: 'Browser.getVersion' }));
      await until(() => answers.some((a) => a.startsWith('{"id":4,')));
      socket.close();
      await until(() => relay.connections === 0);
      expect(relay.connections).toBe(0);
    } finally {
      await relay.close();
      await census.close();
    }
  });

  it('a relay socket pair that loses either side mid-traffic ends cleanly, without losing a message of the other sessions', async () => {
    const census = new RemoteObjectCensus();
    const relay = await census.relay(chromium.current.browserWSEndpoint);
    try {
      const open = async (): Promise<WebSocket> => {
        const socket = new WebSocket(relay.endpoint);
        await new Promise((r) => socket.once('open', r));
        return socket;
      };
      const steady = await open();
      const doomed = await open();
      const answered = new Set<number>();
      steady.on('message', (data: Buffer) => {
        const id = (JSON.parse(data.toString()) as { id?: number }).id;
        if (id !== undefined) answered.add(id);
      });
      doomed.on('error', () => undefined);
      for (let id = 1; id <= 2000; id++) {
        steady.send(JSON.stringify({ id, method: 'Browser.getVersion' }));
        doomed.send(JSON.stringify({ id, method: 'Browser.getVersion' }));
        if (id === 1000) doomed.terminate(); // the client side dies mid-traffic
      }
      await until(() => answered.size === 2000);
      expect(answered.size).toBe(2000);
      await until(() => relay.connections === 1);
      steady.close();
      await until(() => relay.connections === 0);
    } finally {
      await relay.close();
      await census.close();
    }
  });

  it('a relay pair whose browser side goes (its page closed mid-traffic) ends cleanly; a client that stops reading holds the browser side back and then gets every answer intact', async () => {
    const census = new RemoteObjectCensus();
    const relay = await census.relay(chromium.current.browserWSEndpoint);
    const open = async (path: string): Promise<WebSocket> => {
      const socket = new WebSocket(`${relay.browserURL.replace('http', 'ws')}${path}`, { maxPayload: 256 * 1024 * 1024 });
      socket.on('error', () => undefined);
      await new Promise((r) => socket.once('open', r));
      return socket;
    };
    const collect = (socket: WebSocket): Map<number, string> => {
      const answers = new Map<number, string>();
      socket.on('message', (data: Buffer) => {
        const text = data.toString();
        const id = (JSON.parse(text) as { id?: number }).id;
        if (id !== undefined) answers.set(id, text);
      });
      return answers;
    };
    try {
      const steady = await open(new URL(relay.endpoint).pathname);
      const steadyAnswers = collect(steady);
      const newPage = (id: number): Promise<string> => new Promise((resolve) => {
        const check = (): void => { const a = steadyAnswers.get(id); if (a !== undefined) resolve((JSON.parse(a) as { result: { targetId: string } }).result.targetId); else setTimeout(check, 10); };
        steady.send(JSON.stringify({ id, method: 'Target.createTarget', params: { url: 'about:blank' } }));
        check();
      });
      const doomedTarget = await newPage(1);
      const doomed = await open(`/devtools/page/${doomedTarget}`);
      const doomedClosed = new Promise<void>((resolve) => doomed.once('close', () => resolve()));
      for (let id = 10; id < 1010; id++) {
        steady.send(JSON.stringify({ id, method: 'Browser.getVersion' }));
        doomed.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression: '1' } }));
        if (id === 500) steady.send(JSON.stringify({ id: 2, method: 'Target.closeTarget', params: { targetId: doomedTarget } }));
      }
      await doomedClosed;
      await until(() => [...Array(1000).keys()].every((i) => steadyAnswers.has(i + 10)));
      await until(() => relay.connections === 1);

      // Back-pressure: 40 answers of 1 MiB each to a client that does not read.
      const slowTarget = await newPage(3);
      const slow = await open(`/devtools/page/${slowTarget}`);
      const slowAnswers = collect(slow);
      slow.pause();
      for (let id = 1; id <= 40; id++) slow.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression: `'${String(id % 10)}'.repeat(1 << 20)`, returnByValue: true } }));
      await new Promise((r) => setTimeout(r, 1_000));
      expect(slowAnswers.size).toBe(0);
      slow.resume();
      await until(() => slowAnswers.size === 40, 30_000);
      for (let id = 1; id <= 40; id++) expect((JSON.parse(slowAnswers.get(id) ?? '{}') as { result: { result: { value: string } } }).result.result.value).toBe(String(id % 10).repeat(1 << 20));
      slow.close();
      steady.close();
      await until(() => relay.connections === 0);
    } finally {
      await relay.close();
      await census.close();
    }
  });
});
