import type { ReleaseBatcherOptions } from './options.js';
import { ReleaseBatcher } from './ReleaseBatcher.js';
import { processWide } from './internal/processState.js';
import type { CdpTarget } from './target.js';

/** The process-wide worker, shared by every copy of the library loaded in the process. */
const shared = processWide('worker@1', () => ({ worker: null as ReleaseBatcher | null }));

/**
 * Creates the process-wide release worker on the first call and returns it; later calls return the
 * same batcher and ignore their options. One per process,
 * also when the library is loaded both through `import` and through `require`.
 *
 * @example
 * ```ts
 * initReleaseWorker({ maxInFlight: 128 });
 * // anywhere, without passing the batcher around:
 * tryRelease(session, objectId);
 * ```
 */
export function initReleaseWorker(options?: ReleaseBatcherOptions): ReleaseBatcher {
  shared.worker ??= new ReleaseBatcher(options);
  return shared.worker;
}

/** True once {@link initReleaseWorker} has created the process-wide worker. */
export function isReleaseWorkerInitialised(): boolean {
  return shared.worker !== null;
}

/**
 * Enqueues a release on the process-wide worker. Before {@link initReleaseWorker} it silently does
 * nothing. Never throws.
 */
export function tryRelease(target: CdpTarget, objectId: string): void {
  shared.worker?.release(target, objectId);
}
