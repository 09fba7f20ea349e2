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

/**
 * One remote object and the promise to release it: `dispose()` (or `using`) enqueues its
 * `Runtime.releaseObject` once; `await using` / `Symbol.asyncDispose` waits until that release
 * settled. A remote object without `objectId` (a primitive) gives a handle whose dispose does nothing.
 *
 * @example
 * ```ts
 * {
 *   using body = batcher.adopt(client, (await client.Runtime.evaluate({ expression: 'document.body' })).result);
 *   await client.Runtime.callFunctionOn({ objectId: body.objectId, functionDeclaration: 'function () { return this.childElementCount; }' });
 * } // released here, without awaiting
 * ```
 */
export interface RemoteObjectHandle extends ReleaseGuardLike {
  /** The object's id; `''` when the adopted remote object had none (a primitive). */
  readonly objectId: string;
}
