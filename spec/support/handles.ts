import type { ClientHandle, ReleaseStats } from '../../src/index';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';

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
