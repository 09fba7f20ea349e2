import type { ReleaseBatcherOptions } from './options.js';
import { ReleaseBatcher } from './ReleaseBatcher.js';
import { processState } from './internal/processState.js';
import type { CdpTarget } from './target.js';

/**
 * Creates the process-wide release worker on the first call and returns it; later calls return the
 * same batcher and ignore their options (the Rust original's `init_release_worker`). One per process,
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
  // Written only here, by this or another copy of the library with the same state layout.
  processState.worker ??= new ReleaseBatcher(options);
  return processState.worker as ReleaseBatcher;
}

/** True once {@link initReleaseWorker} has created the process-wide worker. */
export function isReleaseWorkerInitialised(): boolean {
  return processState.worker !== null;
}

/**
 * Enqueues a release on the process-wide worker. Before {@link initReleaseWorker} it silently does
 * nothing (as the original's `try_release`). Never throws.
 */
export function tryRelease(target: CdpTarget, objectId: string): void {
  (processState.worker as ReleaseBatcher | null)?.release(target, objectId);
}
