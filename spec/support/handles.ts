import type { ClientHandle, ReleaseStats } from '../../src/index';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import { collected } from './gc';

/**
 * Releases `handles` through a batcher with a long timeout, closes their page, and checks that every
 * release then ended at once (flush within 2 s, nothing timed out or failed, each released, gone or
 * dropped). Returns the final stats for the client's own checks.
 */
export async function releaseAcrossPageClose(handles: readonly ClientHandle[], closePage: () => Promise<void>): Promise<ReleaseStats> {
  const batcher = new ReleaseBatcher({ timeoutMs: 20_000 });
  for (const handle of handles) batcher.release(handle);
  await closePage();
  const t0 = performance.now();
  await batcher.flush();
  expect(performance.now() - t0).toBeLessThan(2_000);
  expect(batcher.stats).toMatchObject({ enqueued: handles.length, timedOut: 0, failed: 0, pending: 0, inFlight: 0 });
  expect(batcher.stats.released + batcher.stats.gone + batcher.stats.dropped).toBe(handles.length);
  await batcher.close();
  return batcher.stats;
}

/**
 * With `trackLeaks`, adopts a client's `handle`, drops the guard while the handle lives, waits until
 * the guard was collected (and a finalizer, had there been one, ran), and checks that nothing was
 * enqueued, counted leaked or sent on the wire (`sent()`: release messages so far). Returns the
 * batcher for the client's own checks.
 */
export async function dropGuardWhileHandleLives(handle: ClientHandle, sent: () => number | Promise<number>): Promise<ReleaseBatcher> {
  const batcher = new ReleaseBatcher({ trackLeaks: true });
  const sentBefore = await sent();
  let guard: ReturnType<ReleaseBatcher['adopt']> | null = batcher.adopt(handle);
  const ref = new WeakRef(guard);
  guard = null;
  expect(await collected(ref)).toBe(true);
  await new Promise((r) => setTimeout(r, 50)); // a finalizer, had there been one, has run
  await batcher.flush();
  expect(batcher.stats).toMatchObject({ enqueued: 0, leaked: 0 });
  expect((await sent()) - sentBefore).toBe(0);
  return batcher;
}
