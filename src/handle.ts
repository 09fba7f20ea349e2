import type { Protocol } from 'devtools-protocol';
import { ReleaseGuard, type GuardOwner, type ReleaseGuardLike } from './guard.js';
import { isReleasableId } from './request.js';
import type { CdpTarget } from './target.js';

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

/** What {@link ReleaseBatcher.adopt} accepts: a remote object from any CDP answer, or its id. */
export type RemoteObjectLike = Pick<Protocol.Runtime.RemoteObject, 'objectId'> & Partial<Pick<Protocol.Runtime.RemoteObject, 'type'>> | string;

/** The handle class behind {@link RemoteObjectHandle}. */
export class RemoteObjectHandleImpl extends ReleaseGuard implements RemoteObjectHandle {
  readonly objectId: string;
  /** `null`: nothing to release. Otherwise the value handed to release(), valid or not (counted). */
  readonly #releaseId: string | null;
  readonly #onDisposed: ((handle: RemoteObjectHandleImpl) => void) | null;

  constructor(owner: GuardOwner, target: CdpTarget, remoteObjectOrId: unknown, onDisposed: ((handle: RemoteObjectHandleImpl) => void) | null) {
    super(owner, target);
    this.#onDisposed = onDisposed;
    this.#releaseId = releaseIdOf(remoteObjectOrId);
    this.objectId = this.#releaseId ?? '';
  }

  protected releaseId(): string | null {
    return this.#releaseId;
  }

  protected isGroup(): boolean {
    return false;
  }

  protected override onDispose(): void {
    this.#onDisposed?.(this);
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
  if (typeof value === 'object' && value !== null) {
    try {
      const { objectId, type } = value as { objectId?: unknown; type?: unknown };
      if (isReleasableId(objectId)) return objectId;
      if (objectId === undefined && typeof type === 'string') return null;
    } catch {
      // a hostile object: invalid below
    }
  }
  return ''; // counted invalid when released
}
