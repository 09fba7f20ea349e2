import { ReleaseBatcher, type ReleaseBatcherOptions } from './ReleaseBatcher.js';
import type { CdpTarget } from './target.js';

let worker: ReleaseBatcher | null = null;

/**
 * Creates the process-wide release worker on the first call and returns it; later calls return the
 * same batcher and ignore their options (the Rust original's `init_release_worker`).
 *
 * @example
 * ```ts
 * initReleaseWorker({ maxInFlight: 128 });
 * // anywhere, without passing the batcher around:
 * tryRelease(session, objectId);
 * ```
 */
export function initReleaseWorker(options?: ReleaseBatcherOptions): ReleaseBatcher {
  worker ??= new ReleaseBatcher(options);
  return worker;
}

/** True once {@link initReleaseWorker} has created the process-wide worker. */
export function isReleaseWorkerInitialised(): boolean {
  return worker !== null;
}

/**
 * Enqueues a release on the process-wide worker. Before {@link initReleaseWorker} it silently does
 * nothing (as the original's `try_release`). Never throws.
 */
export function tryRelease(target: CdpTarget, objectId: string): void {
  worker?.release(target, objectId);
}
