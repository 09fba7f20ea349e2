// What the census costs in memory: bytes per object it tracks, and a closed page's entries let go.
import { RemoteObjectCensus, type CensusTransport } from 'cdp-release-batcher';
import { heapUsedAfterGc } from './gc.js';

export interface CensusMemory {
  /** Objects tracked for the measure. */
  objects: number;
  /** Node's heap growth per tracked object (after GC), ids shaped as Chrome's (`<isolate>.<context>.<n>`). */
  bytesPerTrackedObject: number;
  /** After the page's target is destroyed: the page gone from the snapshot, and the heap back within 10% of the growth. */
  closedPageLetGo: boolean;
}

/**
 * Feeds a census, through its puppeteer-core transport, the frames Chrome would send for `objects`
 * `Runtime.evaluate` results on one page, then that page's target destroyed — the census's own
 * bookkeeping measured, without a browser's noise.
 */
export async function measureCensusMemory(objects = 100_000): Promise<CensusMemory> {
  const census = new RemoteObjectCensus();
  const inner: CensusTransport = { send: () => undefined, close: () => undefined };
  const outer = census.transport(inner);
  const chrome = (frame: string): void => inner.onmessage?.(frame);
  chrome(JSON.stringify({ method: 'Target.attachedToTarget', params: { sessionId: 'S1', targetInfo: { targetId: 'T1', type: 'page', url: 'https://shop.test/' }, waitingForDebugger: false } }));
  const before = await heapUsedAfterGc();
  for (let id = 1; id <= objects; id++) {
    outer.send(JSON.stringify({ method: 'Runtime.evaluate', params: { expression: '({})' }, id, sessionId: 'S1' }));
    chrome(`{"id":${id},"result":{"result":{"type":"object","className":"Object","description":"Object","objectId":"-2300580689011384123.1.${id}"}},"sessionId":"S1"}`);
  }
  const tracked = await heapUsedAfterGc();
  if (census.snapshot().held !== objects) throw new Error(`the census tracked ${census.snapshot().held} of ${objects} objects`);
  chrome(JSON.stringify({ method: 'Target.detachedFromTarget', params: { sessionId: 'S1', targetId: 'T1' } }));
  chrome(JSON.stringify({ method: 'Target.targetDestroyed', params: { targetId: 'T1' } }));
  const after = await heapUsedAfterGc();
  const left = census.snapshot();
  await census.close();
  const growth = tracked - before;
  return { objects, bytesPerTrackedObject: growth / objects, closedPageLetGo: left.held === 0 && left.pages.length === 0 && after - before < growth * 0.1 };
}
