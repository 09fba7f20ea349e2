import type { Protocol } from 'devtools-protocol';
import type { ReleaseGuardLike } from './guard.js';

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

/**
 * A client's own handle to a remote object, as `batcher.release(handle)` takes it: today a
 * puppeteer-core `JSHandle` or `ElementHandle` (from `page.$$()`, `evaluateHandle()`,
 * `getProperties()`, ...). Any other value is counted `invalid`.
 */
export interface ClientHandle {
  dispose(): Promise<void>;
}

/** What {@link ReleaseBatcher.adopt} accepts: a remote object from any CDP answer, or its id. */
export type RemoteObjectLike = Pick<Protocol.Runtime.RemoteObject, 'objectId'> & Partial<Pick<Protocol.Runtime.RemoteObject, 'type'>> | string;
