import CDP from 'chrome-remote-interface';
import { DEFAULT_MAX_IN_FLIGHT } from '../../src/options';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import { statsBalance } from '../../src/stats';
import type { CdpTarget } from '../../src/target';
import { countAlive, heapAfterGc, mintObjects, noUnhandledRejections, openPage, sendOf, useChromium, type SessionSend } from '../support/browser';
import { CriFrames } from '../support/criWire';
import { within } from '../support/within';

jest.setTimeout(120_000);

describe('against a real headless Chromium, through chrome-remote-interface', () => {
  const chromium = useChromium();

  it('released ids are really gone: Chrome then answers "Could not find object with given id"', async () => {
    const page = await openPage(chromium.current.port);
    try {
      const send = sendOf(page.client);
      const ids = await mintObjects(send, 2_000);
      const keep = ids.slice(0, 50);
      const released = ids.slice(50);
      expect(await countAlive(send, ids.slice(0, 200))).toMatchObject({ alive: 200 });

      const batcher = new ReleaseBatcher();
      for (const id of released) batcher.release(page.client, id);
      await batcher.flush();

      expect(batcher.stats).toMatchObject({ enqueued: 1950, released: 1950, gone: 0, failed: 0, pending: 0, inFlight: 0 });
      const check = await countAlive(send, released);
      expect(check).toEqual({ alive: 0, notFound: 1950, other: [] });
      expect(await countAlive(send, keep)).toMatchObject({ alive: 50 }); // nothing else was released
      await batcher.close();
    } finally {
      await page.close();
    }
  });

  it('the real client\'s socket is corked while a batch is written, one level above a plain command, and uncorked after', async () => {
    const page = await openPage(chromium.current.port);
    try {
      const send = sendOf(page.client);
      const ids = await mintObjects(send, 2_000);
      const socket = (page.client as unknown as { _ws: { _socket: import('node:net').Socket } })._ws._socket;
      const levels: number[] = [];
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      socket.write = ((...args: unknown[]) => {
        levels.push(socket.writableCorked);
        return write(...args);
      });
      await send('Runtime.evaluate', { expression: '1' }); // a plain command: how corked ws itself writes
      const plain = Math.max(...levels);
      levels.length = 0;
      const batcher = new ReleaseBatcher();
      for (const id of ids) batcher.release(page.client, id);
      await batcher.flush();
      await new Promise((r) => setImmediate(r)); // the uncork comes after the sending microtasks
      expect(levels.length).toBeGreaterThan(0);
      expect(Math.min(...levels)).toBe(plain + 1); // every release frame went out corked by the batcher
      expect(socket.writableCorked).toBe(0);
      expect(await countAlive(send, ids.slice(0, 100))).toMatchObject({ alive: 0 });
      await batcher.close();
    } finally {
      await page.close();
    }
  });

  it('a real chrome-remote-interface client: releases go on its own wire (none through its send), the cap in flight before the first answer', async () => {
    const page = await openPage(chromium.current.port);
    try {
      const ids = await mintObjects(sendOf(page.client), 2_000);
      const frames = new CriFrames(page.client);
      const batcher = new ReleaseBatcher();
      for (const id of ids) batcher.release(page.client, id);
      await batcher.flush();
      expect(batcher.stats).toMatchObject({ enqueued: 2_000, released: 2_000 });
      expect(frames.releases).toBe(2_000);
      expect(frames.throughSend).toBe(0);
      // Not among the client's own commands, so its cost per answer does not grow with them: the cap.
      expect(frames.beforeFirstAnswer).toBe(DEFAULT_MAX_IN_FLIGHT);
      expect(await countAlive(sendOf(page.client), ids.filter((_, i) => i % 20 === 0))).toEqual({ alive: 0, notFound: 100, other: [] });
      // The client's own commands go on as before, beside the library's ids.
      expect(await page.client.Runtime.evaluate({ expression: '6 * 7', returnByValue: true })).toMatchObject({ result: { value: 42 } });
      await batcher.close();
    } finally {
      await page.close();
    }
  });

  it('100,000 released objects bring the page heap back within 10%; unreleased ones do not', async () => {
    const page = await openPage(chromium.current.port);
    try {
      const send = sendOf(page.client);
      // Warm up first: the inspector's injected script and the compiled page code are allocated on
      // first use and stay; "where it started" is the heap of a page already being crawled.
      for (const id of await mintObjects(send, 1_000)) await send('Runtime.releaseObject', { objectId: id });
      const baseline = await heapAfterGc(send);

      const ids = await mintObjects(send, 100_000);
      const leaking = await heapAfterGc(send);
      // Not releasing: the inspector keeps every object alive through a full GC.
      expect(leaking).toBeGreaterThan(baseline * 1.5);

      const batcher = new ReleaseBatcher();
      for (const id of ids) batcher.release(page.client, id);
      await batcher.close();
      expect(batcher.stats).toMatchObject({ enqueued: 100_000, released: 100_000, pending: 0, inFlight: 0 });
      const after = await heapAfterGc(send);
      process.stdout.write(`heap: baseline ${baseline}, 100k held ${leaking}, released ${after}\n`);
      expect(Math.abs(after - baseline) / baseline).toBeLessThan(0.1);
    } finally {
      await page.close();
    }
  });

  it('a scope: 10,000 objects minted in its object group are all gone after one call', async () => {
    const page = await openPage(chromium.current.port);
    try {
      const send = sendOf(page.client);
      const batcher = new ReleaseBatcher();
      const scope = batcher.scope(page.client);
      const ids = await mintObjects(send, 10_000, 16, scope.objectGroup);
      expect(await countAlive(send, ids.slice(0, 200))).toMatchObject({ alive: 200 });
      await scope[Symbol.asyncDispose]();
      expect(batcher.stats).toMatchObject({ enqueued: 1, released: 1, batches: 1 });
      expect(await countAlive(send, ids)).toEqual({ alive: 0, notFound: 10_000, other: [] });
      await batcher.close();
    } finally {
      await page.close();
    }
  });

  it('releases on several flat-mode sessions of one connection', async () => {
    const browser = await CDP({ port: chromium.current.port, target: chromium.current.browserWSEndpoint });
    const sessions: { sessionId: string; targetId: string; target: CdpTarget; send: SessionSend }[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const { targetId } = await browser.Target.createTarget({ url: 'about:blank' });
        const { sessionId } = await browser.Target.attachToTarget({ targetId, flatten: true });
        const send = sendOf(browser, sessionId);
        // A flat-mode session as a target: the batcher sees each as its own target.
        const target: CdpTarget = { send: (method, params) => browser.send(method, params, sessionId) };
        sessions.push({ sessionId, targetId, target, send });
      }
      const minted = await Promise.all(sessions.map((s) => mintObjects(s.send, 3_000)));
      const batcher = new ReleaseBatcher();
      sessions.forEach((s, i) => { for (const id of minted[i] as string[]) batcher.release(s.target, id); });
      await batcher.flush();
      expect(batcher.stats).toMatchObject({ enqueued: 9_000, released: 9_000, gone: 0, failed: 0 });
      for (const [i, s] of sessions.entries()) {
        expect(await countAlive(s.send, (minted[i] as string[]).slice(0, 500))).toEqual({ alive: 0, notFound: 500, other: [] });
      }
      await batcher.close();
    } finally {
      for (const s of sessions) await browser.Target.closeTarget({ targetId: s.targetId }).catch(() => undefined);
      await browser.close();
    }
  });

  it('a page closed while its releases are in flight: no throw, no unhandled rejection, flush settles', async () => {
    const page = await openPage(chromium.current.port);
    const { unhandled } = await noUnhandledRejections(async () => {
      const send = sendOf(page.client);
      const ids = await mintObjects(send, 5_000);
      const batcher = new ReleaseBatcher({ timeoutMs: 5_000 });
      for (const id of ids) expect(() => batcher.release(page.client, id)).not.toThrow();
      // close the tab from another connection while the burst is on the wire
      await new Promise((r) => setImmediate(r));
      await CDP.Close({ port: chromium.current.port, id: page.targetId });
      for (const id of ids.slice(0, 100)) expect(() => batcher.release(page.client, `${id}-after`)).not.toThrow();
      await batcher.flush();
      const s = batcher.stats;
      expect(s.pending + s.inFlight).toBe(0);
      expect(statsBalance(s)).toBe(true);
      expect(s.enqueued).toBe(5_100);
      expect(s.gone).toBeGreaterThan(0); // the connection closed under them
      expect(s.failed).toBe(0);
      await batcher.close();
    });
    expect(unhandled).toEqual([]);
    await page.close();
  });

  it('a client closed by its user, then released on: nothing written to the closed socket, every release settled at once', async () => {
    const page = await openPage(chromium.current.port);
    try {
      const ids = await mintObjects(sendOf(page.client), 300);
      const batcher = new ReleaseBatcher();
      batcher.release(page.client, ids[0] as string);
      await batcher.flush(); // its wire is in place
      await page.client.close();
      for (const id of ids.slice(1)) batcher.release(page.client, id);
      await within(2_000, 'flush() on a closed client', batcher.flush());
      expect(batcher.stats).toMatchObject({ enqueued: 300, released: 1, failed: 0, timedOut: 0, pending: 0, inFlight: 0 });
      expect(batcher.stats.gone + batcher.stats.dropped).toBe(299);
      await batcher.close();
    } finally {
      await page.close();
    }
  });
});
