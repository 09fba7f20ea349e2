import type { CdpTarget } from './target.js';
import { isCdpTarget } from './target.js';

/**
 * One release, as it flows through the pipeline: either one remote object
 * (`Runtime.releaseObject`) or a whole object group (`Runtime.releaseObjectGroup`).
 *
 * @example
 * ```ts
 * const one: ReleaseRequest = { target: client, objectId: result.objectId! };
 * const all: ReleaseRequest = { target: client, objectGroup: 'crawl-42' };
 * ```
 */
export type ReleaseRequest =
  | { readonly target: CdpTarget; readonly objectId: string; readonly objectGroup?: undefined }
  | { readonly target: CdpTarget; readonly objectGroup: string; readonly objectId?: undefined };

/** A non-empty string: the only shape of `objectId` / `objectGroup` that is sent. */
export function isReleasableId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** True when the request can be sent: a target with `send()` and exactly one non-empty id. */
export function isValidRequest(request: unknown): request is ReleaseRequest {
  if (typeof request !== 'object' || request === null) return false;
  try {
    const { target, objectId, objectGroup } = request as Record<string, unknown>;
    if (!isCdpTarget(target)) return false;
    return objectId === undefined ? isReleasableId(objectGroup) : isReleasableId(objectId) && objectGroup === undefined;
  } catch {
    return false;
  }
}

/**
 * The id to release for a remote object, an id, or a `{ objectId }` request: a string as given; a
 * remote object's `objectId`; `null` for a remote object without one (a primitive:
 * `{ type: 'number', value: 1 }`), which holds nothing. Anything else gives `''`, which the batcher
 * counts `invalid` — a clear outcome rather than a throw. Never throws.
 */
export function releaseIdOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    try {
      const { objectId, type } = value as { objectId?: unknown; type?: unknown };
      if (isReleasableId(objectId)) return objectId;
      if (objectId === undefined && typeof type === 'string') return null;
    } catch {
      // null (it cannot be destructured), or a hostile object: invalid below
    }
  }
  return ''; // counted invalid when released
}
