import CDP from 'chrome-remote-interface';
import { auditHeldObjects } from '../../src/audit';
import { RemoteObjectCensus } from '../../src/census';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import { criSession } from '../../src/criSession';
import { countAlive, openPage, sendOf, useChromium, type Client } from '../support/browser';

jest.setTimeout(180_000);

type Send = (method: string, params?: object) => Promise<Record<string, unknown>>;
const objectIdOf = (answer: Record<string, unknown>): string => (answer['result'] as { objectId: string }).objectId;

/** Census of the one page vs the page's heap snapshot. */
async function compare(census: RemoteObjectCensus, client: Client, targetId: string): Promise<{ census: number; audit: number }> {
  await new Promise((r) => setTimeout(r, 50)); // events written after the last answer
  const audit = await auditHeldObjects(client);
  const page = census.snapshot().pages.find((p) => p.targetId === targetId);
  return { census: page?.held ?? 0, audit: audit.held };
}

/** A new tab whose client the census observes; `body` gets the observed client and its `send`. */
async function withObservedPage(port: number, census: RemoteObjectCensus, body: (client: Client, send: Send, targetId: string) => Promise<void>): Promise<void> {
  const page = await openPage(port);
  try {
    const client = census.observe(page.client);
    await body(client, sendOf(client) as unknown as Send, page.targetId);
  } finally {
    await page.close();
    await census.close();
  }
}

describe('RemoteObjectCensus observing chrome-remote-interface, checked against heap snapshots of real Chromium', () => {
  const chromium = useChromium();

  it('counts evaluate, getProperties (accessors, internal properties), resolveNode, awaitPromise, console arguments and exceptions exactly as the heap snapshot, through every way of letting go', async () => {
    const census = new RemoteObjectCensus();
    await withObservedPage(chromium.current.port, census, async (client, send, targetId) => {
      await send('Runtime.enable');
      await send('Page.enable');
      await send('DOM.enable');
      expect(await compare(census, client, targetId)).toEqual({ census: 0, audit: 0 });

      const evaluated: string[] = [];
      for (let i = 0; i < 300; i++) evaluated.push(objectIdOf(await send('Runtime.evaluate', { expression: `({ n: ${i} })`, objectGroup: i % 3 === 0 ? 'thirds' : undefined })));
      const rich = objectIdOf(await send('Runtime.evaluate', { expression: '({ a: {}, get b() { return 1 }, c: [1], p: Promise.resolve({}), m: new Map([[{}, {}]]) })', objectGroup: 'rich' }));
      await send('Runtime.getProperties', { objectId: rich, ownProperties: true });
      const mapId = objectIdOf(await send('Runtime.evaluate', { expression: 'new Map([[{}, []]])' }));
      await send('Runtime.getProperties', { objectId: mapId, ownProperties: false, accessorPropertiesOnly: false });
      const { root } = await send('DOM.getDocument') as { root: { nodeId: number } };
      await send('DOM.resolveNode', { nodeId: root.nodeId, objectGroup: 'dom' });
      const promise = objectIdOf(await send('Runtime.evaluate', { expression: 'new Promise((r) => setTimeout(() => r({ late: 1 }), 10))', objectGroup: 'later' }));
      await send('Runtime.awaitPromise', { promiseObjectId: promise });
      await send('Runtime.evaluate', { expression: 'console.log({ a: 1 }, [1, 2], "text", 3); console.warn(new Error("w")); 1' });
      await send('Runtime.evaluate', { expression: 'throw new TypeError("thrown")', objectGroup: 'thrown' });
      await send('Runtime.evaluate', { expression: 'setTimeout(() => { throw new RangeError("uncaught") }, 0); 1' });
      await new Promise((r) => setTimeout(r, 100));

      const mixed = await compare(census, client, targetId);
      expect(mixed.census).toBeGreaterThan(310);
      expect(mixed.census).toBe(mixed.audit);
      const held = census.snapshot().pages[0];
      expect(held?.heldBy).toMatchObject({ 'Runtime.evaluate': expect.any(Number), 'Runtime.getProperties': expect.any(Number), 'DOM.resolveNode': 1, 'Runtime.awaitPromise': 1, 'Runtime.consoleAPICalled': 3, 'Runtime.exceptionThrown': 1, 'console storage': 3 });

      // Let go by id (the batcher), by group (the user), the console group and the console storage.
      const batcher = new ReleaseBatcher();
      for (const id of evaluated.filter((_, i) => i % 3 !== 0)) batcher.release(client, id);
      await batcher.flush();
      await batcher.close();
      expect(await countAlive(sendOf(client), evaluated.slice(1, 3))).toMatchObject({ alive: 0 });
      await send('Runtime.releaseObjectGroup', { objectGroup: 'thirds' });
      await send('Runtime.releaseObjectGroup', { objectGroup: 'rich' });
      await send('Runtime.releaseObjectGroup', { objectGroup: 'console' });
      const partly = await compare(census, client, targetId);
      expect(partly.census).toBe(partly.audit);
      await send('Runtime.discardConsoleEntries');
      const discarded = await compare(census, client, targetId);
      expect(discarded.census).toBe(discarded.audit);
      const byWay = census.snapshot().pages[0]?.releasedBy;
      expect(byWay).toMatchObject({ id: 200, group: expect.any(Number), discarded: 3 });
      expect(byWay?.group).toBeGreaterThan(100);

      // A navigation lets everything go.
      await send('Page.navigate', { url: 'data:text/html,<p>next</p>' });
      await new Promise((r) => setTimeout(r, 300));
      expect(await compare(census, client, targetId)).toEqual({ census: 0, audit: 0 });
      expect(census.snapshot().pages[0]?.url).toBe('data:text/html,<p>next</p>');
    });
  });

  it('follows flat sessions of a browser-level client, and a page closed leaves the list with its objects let go', async () => {
    const census = new RemoteObjectCensus();
    const browser = census.observe(await CDP({ target: chromium.current.browserWSEndpoint }));
    try {
      const { targetId } = await browser.Target.createTarget({ url: 'about:blank' });
      const { sessionId } = await browser.Target.attachToTarget({ targetId, flatten: true });
      const session = criSession(browser, sessionId);
      for (let i = 0; i < 50; i++) await session.send('Runtime.evaluate', { expression: '({})' });
      expect(census.snapshot()).toMatchObject({ held: 50, pages: [{ targetId, held: 50, heldBy: { 'Runtime.evaluate': 50 } }] });
      expect((await auditHeldObjects(session)).held).toBe(50);
      await browser.Target.closeTarget({ targetId });
      await new Promise((r) => setTimeout(r, 300));
      expect(census.snapshot()).toMatchObject({ held: 0, created: 50, released: 50, pages: [] });
    } finally {
      await browser.close();
      await census.close();
    }
  });

  it('at 20,000 objects the census still equals the heap snapshot, and releasing them brings both to 0', async () => {
    const census = new RemoteObjectCensus();
    await withObservedPage(chromium.current.port, census, async (client, send, targetId) => {
      const ids: string[] = [];
      for (let wave = 0; wave < 20; wave++) {
        const answers = await Promise.all(Array.from({ length: 1000 }, () => send('Runtime.evaluate', { expression: '({})' })));
        ids.push(...answers.map(objectIdOf));
      }
      expect(await compare(census, client, targetId)).toEqual({ census: 20_000, audit: 20_000 });
      const batcher = new ReleaseBatcher();
      for (const id of ids) batcher.release(client, id);
      await batcher.close();
      expect(await compare(census, client, targetId)).toEqual({ census: 0, audit: 0 });
    });
  });

  it('a client a batcher already releases on (its wire hooked first) and observed afterwards: the census still counts those releases', async () => {
    const page = await openPage(chromium.current.port);
    const census = new RemoteObjectCensus();
    try {
      const send = sendOf(page.client) as unknown as Send;
      const batcher = new ReleaseBatcher();
      const early = await Promise.all(Array.from({ length: 10 }, () => send('Runtime.evaluate', { expression: '({})' })));
      for (const answer of early) batcher.release(page.client, objectIdOf(answer));
      await batcher.flush(); // the batcher's wire on this client exists now, under the census's hook to come
      const client = census.observe(page.client);
      const ids = (await Promise.all(Array.from({ length: 3_000 }, () => send('Runtime.evaluate', { expression: '({})' })))).map(objectIdOf);
      expect(await compare(census, client, page.targetId)).toEqual({ census: 3_000, audit: 3_000 });
      for (const id of ids.slice(0, 2_000)) batcher.release(client, id);
      await batcher.close();
      expect(batcher.stats.released).toBe(2_010);
      expect(await compare(census, client, page.targetId)).toEqual({ census: 1_000, audit: 1_000 });
    } finally {
      await page.close();
      await census.close();
    }
  });

  it('releaseConsoleArgs: a page that logs 10,000 objects ends with the heap snapshot back at its baseline, the releases counted in the batcher given', async () => {
    const batcher = new ReleaseBatcher();
    const census = new RemoteObjectCensus({ releaseConsoleArgs: batcher });
    try {
      await withObservedPage(chromium.current.port, census, async (client, send) => {
        await send('Runtime.enable');
        const kept = objectIdOf(await send('Runtime.evaluate', { expression: '({ kept: true })' }));
        const baseline = (await auditHeldObjects(client)).held;
        expect(baseline).toBe(1);
        await send('Runtime.evaluate', { expression: 'for (let i = 0; i < 10000; i++) console.log({ i }, [i], "text"); 1' });
        const deadline = Date.now() + 20_000;
        let held = -1;
        while (Date.now() < deadline) {
          await batcher.flush();
          await new Promise((r) => setTimeout(r, 200));
          held = (await auditHeldObjects(client)).held;
          if (held === baseline && batcher.stats.released + batcher.stats.gone === 20_000) break;
        }
        expect(held).toBe(baseline);
        // Each argument released once: by the batcher, or (answered gone) already by the storage's discard.
        expect(batcher.stats).toMatchObject({ enqueued: 20_000, failed: 0, pending: 0, inFlight: 0 });
        expect(batcher.stats.released + batcher.stats.gone).toBe(20_000);
        expect(batcher.stats.released).toBeGreaterThan(0);
        expect(census.snapshot().pages[0]).toMatchObject({ held: 1, heldBy: { 'Runtime.evaluate': 1 } });
        expect(await countAlive(sendOf(client), [kept])).toMatchObject({ alive: 1 });
      });
    } finally {
      await batcher.close();
    }
  });

  it('releaseConsoleArgs off (the default): console arguments and the console storage stay held, as the heap snapshot shows', async () => {
    const census = new RemoteObjectCensus();
    await withObservedPage(chromium.current.port, census, async (client, send, targetId) => {
      await send('Runtime.enable');
      await send('Runtime.evaluate', { expression: 'for (let i = 0; i < 1500; i++) console.log({ i }); 1' });
      await new Promise((r) => setTimeout(r, 500));
      // 1,500 bound arguments, and the last 1,000 messages' arguments in V8's storage.
      expect(await compare(census, client, targetId)).toEqual({ census: 2_500, audit: 2_500 });
      // Discarding the storage also releases every session's `console` group (V8 does both).
      await census.discardConsoleEntries();
      expect(await compare(census, client, targetId)).toEqual({ census: 0, audit: 0 });
      // 2,500 now, and the 500 oldest messages the 1,000-message storage dropped on the way.
      expect(census.snapshot().pages[0]?.releasedBy).toMatchObject({ discarded: 3_000 });
    });
  });
});
