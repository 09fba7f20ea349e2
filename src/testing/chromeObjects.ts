/**
 * Real-Chrome proof that a release happened, by its effect rather than by anyone's counters: mint
 * remote objects in bulk, ask Chrome which ids it still knows (a released one answers `Could not find
 * object with given id`), and read a page's V8 heap after a full garbage collection.
 */

/** Sends one CDP command and resolves with its result: any client's `send`, as a plain function. */
export type SessionSend = (method: string, params?: object) => Promise<unknown>;

/**
 * Any client's `send` as a {@link SessionSend}: a chrome-remote-interface client (with `sessionId` for
 * a flat-mode session; its typings pick the callback form for method names it does not know), or a
 * puppeteer-core / playwright-core `CDPSession` (no `sessionId`).
 *
 * @example
 * ```ts
 * const send = sendOf(await page.createCDPSession()); // puppeteer-core or playwright-core
 * const send2 = sendOf(browser, sessionId);            // chrome-remote-interface, flat mode
 * ```
 */
export function sendOf(client: { send: unknown }, sessionId?: string): SessionSend {
  const untyped = client as unknown as { send(method: string, params?: object, sessionId?: string): Promise<unknown> };
  return (method, params) => untyped.send(method, params ?? {}, sessionId);
}

/** Page code that builds `count` objects of ~`size` numbers each and returns them in one array. */
const MAKE = (count: number, size: number): string =>
  `Array.from({ length: ${count} }, (_, i) => ({ i, data: new Array(${size}).fill(i) }))`;

/**
 * Mints `count` remote objects in the page with few round trips: evaluates arrays of 1,000 fresh
 * objects (of `size` numbers each) and lists their elements with `Runtime.getProperties`. The arrays'
 * own ids are released at once unless they belong to `objectGroup`; only the elements stay held by
 * the inspector, until released — which is what a test of a release pipeline needs.
 *
 * @example
 * ```ts
 * const ids = await mintObjects(sendOf(client), 10_000);
 * for (const id of ids) batcher.release(client, id);
 * await batcher.flush();
 * expect(await countAlive(sendOf(client), ids)).toEqual({ alive: 0, notFound: 10_000, other: [] });
 * ```
 */
export async function mintObjects(send: SessionSend, count: number, size = 16, objectGroup?: string): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < count) {
    const n = Math.min(1000, count - ids.length);
    const { result } = (await send('Runtime.evaluate', { expression: MAKE(n, size), objectGroup })) as { result: { objectId: string } };
    // No objectGroup here: Runtime.getProperties has none; its objects join the array's group.
    const props = (await send('Runtime.getProperties', { objectId: result.objectId, ownProperties: true })) as {
      result: { name: string; value?: { objectId?: string } }[];
      internalProperties?: { value?: { objectId?: string } }[];
    };
    for (const p of props.result) if (/^\d+$/.test(p.name) && p.value?.objectId) ids.push(p.value.objectId);
    for (const p of props.internalProperties ?? []) if (p.value?.objectId) await send('Runtime.releaseObject', { objectId: p.value.objectId });
    if (objectGroup === undefined) await send('Runtime.releaseObject', { objectId: result.objectId });
  }
  return ids;
}

/**
 * The page's V8 heap after a full garbage collection (`HeapProfiler.collectGarbage` twice, then
 * `Runtime.getHeapUsage`), in bytes: it comes back down only when the page's objects were released.
 */
export async function heapAfterGc(send: SessionSend): Promise<number> {
  await send('HeapProfiler.collectGarbage');
  await send('HeapProfiler.collectGarbage');
  const { usedSize } = (await send('Runtime.getHeapUsage')) as { usedSize: number };
  return usedSize;
}

/** What {@link countAlive} found. */
export interface AliveCount {
  /** Ids Chrome still knows: not released. */
  readonly alive: number;
  /** Ids Chrome answered `Could not find object with given id` for: released (or never from this session). */
  readonly notFound: number;
  /** Any other error, as Chrome worded it (a closed session, say). */
  readonly other: string[];
}

/**
 * How many of `ids` Chrome still knows, asking each with an empty `Runtime.callFunctionOn` returned
 * by value (which holds nothing new). Ask on the session that created them: ids belong to one
 * DevTools session, and any other answers "not found" for all.
 *
 * @example
 * ```ts
 * const { alive } = await countAlive(sendOf(client), ids.filter((_, i) => i % 50 === 0)); // a sample
 * ```
 */
export async function countAlive(send: SessionSend, ids: readonly string[]): Promise<AliveCount> {
  let alive = 0;
  let notFound = 0;
  const other: string[] = [];
  await Promise.all(ids.map(async (objectId) => {
    try {
      // By value, so asking creates no remote object of its own (Runtime.getProperties would hold one
      // for every object-valued property of each id still alive).
      await send('Runtime.callFunctionOn', { objectId, functionDeclaration: 'function () {}', returnByValue: true });
      alive++;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (message.includes('Could not find object with given id')) notFound++;
      else other.push(message);
    }
  }));
  return { alive, notFound, other };
}
