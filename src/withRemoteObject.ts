import { Observable, from, type ObservableInput, type Subscription } from 'rxjs';
import type { ClientHandle, RemoteObjectHandle, RemoteObjectLike } from './handle.js';
import type { CdpTarget } from './target.js';

/** What {@link withRemoteObject} needs of a batcher: `adopt`. A {@link ReleaseBatcher} is one. */
export interface RemoteObjectAdopter {
  adopt(target: CdpTarget, remoteObjectOrId: RemoteObjectLike): RemoteObjectHandle;
}

/** What {@link withRemoteObject} needs of a batcher for a client's own handles. A {@link ReleaseBatcher} is one. */
export interface ClientHandleAdopter {
  adopt(handle: ClientHandle): { dispose(): void };
}

/**
 * Ties a remote object's life to a subscription — the RxJS counterpart of a Drop guard. The object
 * from `acquire` is adopted as a handle, `use(handle)` gives the result, and the object is released
 * when that subscription ends in any way: complete, error, or unsubscribe (`take(1)`, a `switchMap`
 * cancelling it, a timeout).
 *
 * <span class="informal">RxJS's `using`, for a CDP remote object.</span>
 *
 * ```
 * acquire:   --o|
 * use(h):      -r-|
 * result:    ---r-|          o released at the end (frame 5); the same on error or unsubscribe
 * ```
 *
 * Semantics:
 * - `acquire` is called once per subscription; its first value is the remote object (or id); a
 *   remote object without `objectId` gives a handle whose release does nothing.
 * - If the subscription ends before `acquire` has answered, the object is still released when it
 *   arrives: a late answer is never leaked. (`acquire` keeps its subscription until its first value
 *   or its end for that reason.)
 * - An error from `acquire` or `use` is forwarded after the release was enqueued.
 *
 * ## Example
 * ```ts
 * const title$ = withRemoteObject(batcher, client,
 *   () => client.Runtime.evaluate({ expression: 'document.querySelector("h1")' }).then((r) => r.result),
 *   (h1) => client.Runtime.callFunctionOn({ objectId: h1.objectId, functionDeclaration: 'function () { return this.textContent; }', returnByValue: true }),
 * );
 * ```
 *
 * @param batcher Where the release is enqueued.
 * @param target The session the object belongs to.
 * @param acquire Creates the remote object: a promise, an observable, or anything `from` accepts.
 * @param use Works with the handle; its values are the result's values.
 * @return An Observable of `use`'s values that releases the object when it ends.
 */
export function withRemoteObject<T>(
  batcher: RemoteObjectAdopter,
  target: CdpTarget,
  acquire: () => ObservableInput<RemoteObjectLike>,
  use: (handle: RemoteObjectHandle) => ObservableInput<T>,
): Observable<T>;
/**
 * The same for a client's own handle — a puppeteer-core or playwright-core `JSHandle` /
 * `ElementHandle` from `acquire` — with no target: `use` gets the handle itself, and when the
 * subscription ends in any way it is released as `batcher.release(handle)` does (on its own
 * connection, one message; the handle ends disposed). A handle its client disposed meanwhile is not
 * released again.
 *
 * @example
 * ```ts
 * const title$ = withRemoteObject(batcher, () => page.$('h1'), (h1) => h1!.evaluate((el) => el.textContent));
 * ```
 */
export function withRemoteObject<H extends ClientHandle | null, T>(
  batcher: ClientHandleAdopter,
  acquire: () => ObservableInput<H>,
  use: (handle: H) => ObservableInput<T>,
): Observable<T>;
export function withRemoteObject<T>(
  batcher: RemoteObjectAdopter | ClientHandleAdopter,
  ...args: [CdpTarget, () => ObservableInput<RemoteObjectLike>, (handle: RemoteObjectHandle) => ObservableInput<T>]
    | [() => ObservableInput<ClientHandle | null>, (handle: ClientHandle | null) => ObservableInput<T>]
): Observable<T> {
  if (args.length === 2) {
    const [acquire, use] = args;
    const adopter = batcher as ClientHandleAdopter;
    // A null (`page.$()` found nothing) holds nothing: a guard that releases nothing.
    return tiedTo(acquire, (handle) => ({ guard: handle === null ? { dispose: () => undefined } : adopter.adopt(handle), value: handle }), use);
  }
  const [target, acquire, use] = args;
  const adopter = batcher as RemoteObjectAdopter;
  return tiedTo(acquire, (remoteObject) => {
    const handle = adopter.adopt(target, remoteObject);
    return { guard: handle, value: handle };
  }, use);
}

/** The subscription's end disposes the guard of `acquire`'s first value; `use` gets what `adopt` made of it. */
function tiedTo<A, V, T>(
  acquire: () => ObservableInput<A>,
  adopt: (acquired: A) => { guard: { dispose(): void }; value: V },
  use: (value: V) => ObservableInput<T>,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    let handle: { dispose(): void } | null = null;
    let ended = false;
    let inner: Subscription | null = null;
    const end = (): void => {
      ended = true;
      handle?.dispose();
    };

    const acquiring: Subscription = from(acquire()).subscribe({
      next: (remoteObject) => {
        if (handle !== null) return; // only the first value is the object
        const adopted = adopt(remoteObject);
        handle = adopted.guard;
        if (ended) {
          handle.dispose(); // answered after the subscriber left: release at once
          return;
        }
        // Not a switchMap: `acquire` must outlive an unsubscribe to release a late object.
        // eslint-disable-next-line rxjs-x/no-nested-subscribe
        inner = from(use(adopted.value)).subscribe({
          next: (value) => subscriber.next(value),
          error: (err: unknown) => {
            end();
            subscriber.error(err);
          },
          complete: () => {
            end();
            subscriber.complete();
          },
        });
      },
      error: (err: unknown) => {
        if (handle !== null) return; // after the object arrived, only `use` speaks
        end();
        subscriber.error(err);
      },
      complete: () => {
        if (handle === null) {
          end();
          subscriber.complete(); // acquire gave nothing: nothing to use, nothing to release
        }
      },
    });

    return () => {
      inner?.unsubscribe();
      // Keep listening to `acquire` until it answers, so a late object is still released.
      if (handle !== null) acquiring.unsubscribe();
      end();
    };
  });
}
