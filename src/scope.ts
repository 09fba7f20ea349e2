import type { ReleaseGuardLike } from './guard.js';

/**
 * An object group owned by a scope: pass `objectGroup` to `Runtime.evaluate`, `callFunctionOn` or
 * `DOM.resolveNode` (objects from `Runtime.getProperties` join the group of the object they were read
 * from); disposing the scope sends one `Runtime.releaseObjectGroup` for every object in the group:
 * one call, where releasing each object is one round trip per object.
 *
 * @example
 * ```ts
 * await using scope = batcher.scope(client);
 * const { result } = await client.Runtime.evaluate({ expression: 'document.links', objectGroup: scope.objectGroup });
 * const { result: links } = await client.Runtime.getProperties({ objectId: result.objectId! }); // in the scope's group too
 * // ... every one of those objects is released with the scope, in one call
 * ```
 */
export interface ReleaseScope extends ReleaseGuardLike {
  /** Unique per scope (per process). */
  readonly objectGroup: string;
}
