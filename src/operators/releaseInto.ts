import { Observable, type OperatorFunction } from 'rxjs';
import type { ClientHandle, RemoteObjectLike } from '../handle.js';
import { releaseIdOf, type ReleaseRequest } from '../request.js';
import type { CdpTarget } from '../target.js';

/**
 * What {@link releaseInto} needs of a batcher: the two ways to enqueue a release. A
 * {@link ReleaseBatcher} is one; so is anything with the same two methods (a test double, a wrapper).
 */
export interface ReleaseSink {
  release(target: CdpTarget, objectId: string): void;
  release(handle: ClientHandle): void;
  releaseGroup(target: CdpTarget, objectGroup: string): void;
}

/** What {@link releaseInto} accepts: a request naming its target, or a remote object / id. */
export type ReleaseInput = ReleaseRequest | RemoteObjectLike | ClientHandle;

/**
 * Releases every remote object of the source through `batcher`: the sink of an observable crawler.
 *
 * <span class="informal">`tap(o => batcher.release(target, o.objectId))` plus `ignoreElements()`,
 * and the cases in between handled: groups, primitives, bad values.</span>
 *
 * ```
 * source:            -a-b--c-|
 * releaseInto(b, t): --------|      a, b and c released as they pass
 * ```
 *
 * Semantics:
 * - `{ target, objectId }` / `{ target, objectGroup }` go to their own target; remote objects
 *   (`{ objectId, ... }`) and bare ids to `target`; a puppeteer-core or playwright-core `JSHandle` /
 *   `ElementHandle` to the connection that created it, as `batcher.release(handle)` does.
 * - A remote object without `objectId` (a primitive) is skipped; anything else that is not a
 *   releasable value is counted `invalid` by the batcher. Nothing throws.
 * - Emits nothing; completes when the source completes; a source error is forwarded (what passed
 *   before it was already enqueued). Unsubscribing stops taking values; enqueued releases still go out.
 *
 * ## Example
 * ```ts
 * import { releaseInto } from 'cdp-release-batcher';
 * elements$.pipe(releaseInto(batcher, client)).subscribe();
 * ```
 *
 * @param batcher Where the releases are enqueued.
 * @param target Target of values that do not name their own (remote objects and ids).
 * @return A function that returns an Observable that emits nothing and mirrors the source's end.
 */
export function releaseInto<T extends ReleaseInput>(batcher: ReleaseSink, target?: CdpTarget): OperatorFunction<T, never> {
  return (source) =>
    new Observable<never>((subscriber) =>
      source.subscribe({
        next: (value) => releaseOne(batcher, value, target),
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}

function releaseOne(batcher: ReleaseSink, value: ReleaseInput, fallback: CdpTarget | undefined): void {
  let target: unknown;
  let objectId: unknown;
  let objectGroup: unknown;
  if (typeof value === 'object' && (value as unknown) !== null) {
    try {
      ({ target, objectId, objectGroup } = value as { target?: unknown; objectId?: unknown; objectGroup?: unknown });
    } catch {
      // a hostile object: the batcher counts it invalid below
    }
  }
  const id = releaseIdOf(value); // the same reading as batcher.adopt
  if (id === null) return; // a remote object without an id (a primitive): nothing held
  if (target === undefined && objectId === undefined && objectGroup === undefined && typeof value !== 'string') {
    // Neither a request nor a remote object: a client's own handle (released on its own session,
    // inspected once, by the batcher) or else counted invalid there.
    batcher.release(value as ClientHandle);
    return;
  }
  const to = (target ?? fallback) as CdpTarget;
  if (objectGroup !== undefined && objectId === undefined) batcher.releaseGroup(to, objectGroup as string);
  else batcher.release(to, id);
}
