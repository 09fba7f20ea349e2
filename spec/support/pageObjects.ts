/**
 * Minting and checking remote objects in a page, for the tests (the command line's benchmark has its own): any client's
 * `send` as a plain function, objects minted in bulk, and a check that released ids are really gone.
 */
/** Sends one CDP command and resolves with its result. */
export type SessionSend = (method: string, params?: object) => Promise<unknown>;

/**
 * Any client's `send` with a method name as a plain string: a chrome-remote-interface client (with
 * `sessionId` for a flat-mode session; its typings pick the callback form for unknown method names),
 * or a puppeteer-core / playwright-core `CDPSession` (no `sessionId`).
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
 * objects and lists their elements with `Runtime.getProperties`. The arrays' own ids are released
 * at once (they are not part of the result) unless they belong to `objectGroup`; only the elements
 * stay held by the inspector.
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

/** The page's V8 heap after a full garbage collection. */
export async function heapAfterGc(send: SessionSend): Promise<number> {
  await send('HeapProfiler.collectGarbage');
  await send('HeapProfiler.collectGarbage');
  const { usedSize } = (await send('Runtime.getHeapUsage')) as { usedSize: number };
  return usedSize;
}

/** How many of `ids` Chrome still knows; each unknown one answers `Could not find object with given id`. */
export async function countAlive(send: SessionSend, ids: readonly string[]): Promise<{ alive: number; notFound: number; other: string[] }> {
  let alive = 0;
  let notFound = 0;
  const other: string[] = [];
  await Promise.all(ids.map(async (objectId) => {
    try {
      await send('Runtime.getProperties', { objectId, ownProperties: true });
      alive++;
    } catch (e) {
      const message = (e as Error).message;
      if (message.includes('Could not find object with given id')) notFound++;
      else other.push(message);
    }
  }));
  return { alive, notFound, other };
}
