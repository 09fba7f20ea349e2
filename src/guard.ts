import type { CdpTarget } from './target.js';

/**
 * What handles and scopes share: one release, enqueued once by `dispose()` (or `using`), awaited by
 * `Symbol.asyncDispose` (or `await using`).
 */
export interface ReleaseGuardLike extends Disposable, AsyncDisposable {
  /** The target the release goes to. */
  readonly target: CdpTarget;
  /** True once `dispose()` (or either `Symbol` method) was called. */
  readonly disposed: boolean;
  /** Enqueue the release once; later calls do nothing. Never throws. */
  dispose(): void;
  /** Same as `dispose()`: for `using`. */
  [Symbol.dispose](): void;
  /** Enqueue the release (once) and resolve when it settled. Never rejects. */
  [Symbol.asyncDispose](): Promise<void>;
}
