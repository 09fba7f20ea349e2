import { ReleaseBatcher, type ReleaseBatcherOptions } from './ReleaseBatcher.js';
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
  processState.worker ??= new ReleaseBatcher(options);
  return processState.worker;
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
  processState.worker?.release(target, objectId);
}
