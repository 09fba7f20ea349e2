import type { Protocol } from 'devtools-protocol';
export type { RemoteObjectHandle } from './guard.js';
import { inspectClientHandle, isReleasableHandle } from './internal/clients/index.js';

/**
 * A client's own handle to a remote object, as `batcher.release(handle)` takes it: a puppeteer-core
 * or playwright-core `JSHandle` or `ElementHandle` (from `page.$$()`, `evaluateHandle()`,
 * `getProperties()`, ...). Any other value is counted `invalid` ({@link explainClientHandle} says why).
 */
export interface ClientHandle {
  dispose(): Promise<void>;
}

/**
 * Why `batcher.release(value)` would count `value` `invalid`, or null when it is a client handle
 * this library can release: not a handle at all, or one of a client version whose shape the adapter
 * does not know (the supported versions are in the README). Never throws.
 *
 * @example
 * ```ts
 * const why = explainClientHandle(handle);
 * if (why !== null) console.warn(`not released by the batcher: ${why}`);
 * ```
 */
export function explainClientHandle(value: unknown): string | null {
  const inspected = inspectClientHandle(value);
  return isReleasableHandle(inspected) ? null : inspected.reason;
}

/**
 * True once a client's handle is disposed — by its client (`dispose()`, `using`, its page closing)
 * or by the batcher (`release(handle)`, a guard): then its own `dispose()` sends nothing. False while
 * it lives, and for a value that is not a handle this library knows ({@link explainClientHandle}
 * says why). Typed for every client (puppeteer-core's public types have no `disposed`). Never throws.
 *
 * @example
 * ```ts
 * batcher.release(handle);
 * isHandleDisposed(handle); // true at once
 * ```
 */
export function isHandleDisposed(handle: ClientHandle): boolean {
  const inspected = inspectClientHandle(handle);
  return isReleasableHandle(inspected) && inspected.disposedNow();
}

/** What {@link ReleaseBatcher.adopt} accepts: a remote object from any CDP answer, or its id. */
export type RemoteObjectLike = Pick<Protocol.Runtime.RemoteObject, 'objectId'> & Partial<Pick<Protocol.Runtime.RemoteObject, 'type'>> | string;
