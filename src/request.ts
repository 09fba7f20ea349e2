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
