import { Observable } from 'rxjs';
import type { ClientHandle, RemoteObjectHandle, RemoteObjectLike } from './handle.js';
import { CloseSequence } from './internal/closeSequence.js';
import { ClientHandleGuard, ObjectHandle, ReleaseScopeImpl } from './internal/guards.js';
import { clientHandleOf, releaseClientHandle } from './internal/handleRouting.js';
import { LeakNet } from './internal/leakNet.js';
import { ReleaseLedger } from './internal/ledger.js';
import { resolveBatcherOptions } from './internal/resolveOptions.js';
import type { ReleaseBatcherOptions } from './options.js';
import type { ReleaseScope } from './scope.js';
import type { BatchReport, ReleaseStats, TargetLoad } from './stats.js';
import { isCdpTarget, type CdpTarget } from './target.js';

/**
 * Releases CDP remote objects in the background, in batches: `release()` returns at once and never
 * throws; the releases go out in batches through {@link batchReleases}'s pipeline; every release
 * ends in exactly one counted outcome.
 *
 * Flush window: a batch goes out when `maxBatch` releases are waiting, or at the end of the current
 * microtask checkpoint with whatever is waiting. An idle batcher schedules nothing, so a process
 * holding one exits by itself.
 *
 * @example
 * ```ts
 * import CDP from 'chrome-remote-interface';
 * import { ReleaseBatcher } from 'cdp-release-batcher';
 *
 * const client = await CDP({ port: 9222 });
 * const batcher = new ReleaseBatcher();
 * const { result } = await client.Runtime.evaluate({ expression: 'document.body' });
 * try {
 *   // ... use result.objectId ...
 * } finally {
 *   batcher.release(client, result.objectId!); // no await needed
 * }
 * await batcher.close(); // at shutdown: everything enqueued has settled
 * console.log(batcher.stats);
 * ```
 */
export class ReleaseBatcher implements AsyncDisposable {
  readonly #ledger: ReleaseLedger;
  readonly #net: LeakNet;
  readonly #close: CloseSequence;
  /** `trackLeaks`: the net follows adopted handles. */
  readonly #trackLeaks: boolean;
  readonly #onAdoptedDisposed: ((handle: ObjectHandle) => void) | null;

  /**
   * Live statistics: a snapshot on subscribe, then coalesced changes — a burst of N releases gives
   * about N / maxBatch emissions plus at most four per second. An emission comes at the end of the
   * microtask checkpoint in which releases were enqueued (showing what that checkpoint sent), when a
   * batch settles (right after its `batches$` report), and, for calls settling while no batch
   * completes, at most once per 250 ms of scheduler time. Completes when the batcher is closed.
   */
  readonly stats$: Observable<ReleaseStats>;

  /** One report per settled batch, emitted before the `flush()` that waited for it settles.
   *  Completes when the batcher is closed. Hot: a late subscriber sees only later batches. */
  readonly batches$: Observable<BatchReport>;

  constructor(options: ReleaseBatcherOptions = {}) {
    const resolved = resolveBatcherOptions(options);
    const ledger = (this.#ledger = new ReleaseLedger(resolved).ownedBy(this));
    this.#net = new LeakNet({
      batcher: this,
      counters: ledger.counters,
      changed: () => ledger.stats.atCheckpoint(),
      release: (target, objectId) => ledger.enqueue(target, objectId, false),
    });
    this.#close = new CloseSequence(ledger);
    this.#trackLeaks = resolved.trackLeaks;
    this.#onAdoptedDisposed = resolved.trackLeaks ? (handle) => this.#net.disposed(handle) : null;
    this.stats$ = ledger.stats.stats$;
    this.batches$ = ledger.batches$;
  }

  /** The current statistics (a frozen snapshot). */
  get stats(): ReleaseStats {
    return this.#ledger.snapshot;
  }

  /**
   * The targets with releases waiting for a slot or in flight right now, each with its counts and its
   * in-flight window (fixed, or the adaptive window's level): the per-target view behind `pending`
   * and `inFlight`. Made on each call, O(targets); a target leaves the list once it has nothing
   * outstanding. The `cdp-release-batcher/otel` gauges read it at collection time.
   *
   * @example
   * ```ts
   * for (const t of batcher.targets()) console.log(t.waiting, t.inFlight, t.window);
   * ```
   */
  targets(): TargetLoad[] {
    return this.#ledger.targets();
  }

  /** True once `close()` was called: later releases are counted `dropped`. */
  get closed(): boolean {
    return this.#close.started;
  }

  /**
   * Enqueues one `Runtime.releaseObject`. Synchronous, O(1), never throws: safe in `finally`, in a
   * dispose, in an unsubscribe. Bad input is counted `invalid`, a (target, objectId) already pending
   * or in flight `duplicate`, and anything after `close()` `dropped`.
   *
   * @example
   * ```ts
   * try { await client.Runtime.callFunctionOn({ objectId, functionDeclaration }); }
   * finally { batcher.release(client, objectId); }
   * ```
   */
  release(target: CdpTarget, objectId: string): void;
  /**
   * Releases a client's own handle (puppeteer-core or playwright-core `JSHandle` / `ElementHandle`)
   * on the session that created it: one counted release per remote object, and the handle reads
   * disposed at once, so its own `dispose()` sends nothing. One disposed already counts
   * `duplicate`; a handle to a primitive holds nothing and is not counted; after `close()` it counts
   * `dropped` and is left to its client; anything else is `invalid`.
   *
   * @example
   * ```ts
   * for (const link of await page.$$('a')) batcher.release(link); // no await, no session to find
   * ```
   */
  release(handle: ClientHandle): void;
  release(targetOrHandle: CdpTarget | ClientHandle, objectId?: string): void {
    const handle = clientHandleOf(targetOrHandle);
    if (handle !== null) releaseClientHandle(this.#ledger, handle);
    else this.#ledger.enqueue(targetOrHandle as CdpTarget, objectId as string, false);
  }

  /**
   * Enqueues one `Runtime.releaseObjectGroup`: every object Chrome created with that `objectGroup`
   * goes in one call. Same guarantees as {@link release}.
   *
   * @example
   * ```ts
   * await client.Runtime.evaluate({ expression: 'document.links', objectGroup: 'page-7' });
   * batcher.releaseGroup(client, 'page-7');
   * ```
   */
  releaseGroup(target: CdpTarget, objectGroup: string): void {
    this.#ledger.enqueue(target, objectGroup, true);
  }

  /**
   * The target is gone (page closed, session detached, renderer crashed): its pending releases are
   * dropped unsent, its calls in flight settle `gone` at once, later releases to it are dropped.
   * {@link criSession} targets and chrome-remote-interface clients are forgotten automatically; with
   * puppeteer-core or playwright-core, call this from the page's `close` event. Never throws.
   *
   * @example
   * ```ts
   * page.once('close', () => batcher.forget(session));
   * ```
   */
  forget(target: CdpTarget): void {
    if (isCdpTarget(target)) this.#ledger.forget(target);
  }

  /**
   * Wraps a remote object (or its id) in a handle that releases it on `dispose()` — `using` and
   * `await using` work. A remote object without `objectId` (a primitive) gives a handle whose
   * dispose does nothing; anything else that is not an id is counted `invalid` when disposed.
   *
   * @example
   * ```ts
   * await using node = batcher.adopt(client, (await client.DOM.resolveNode({ nodeId })).object);
   * ```
   */
  adopt(target: CdpTarget, remoteObjectOrId: RemoteObjectLike): RemoteObjectHandle;
  /**
   * A guard over a client's own handle: disposing it releases the handle as {@link release} does;
   * if its client disposes it first, the guard sends nothing. Dropping the guard while the handle
   * lives releases nothing; with `trackLeaks` the handle itself is {@link watch}ed. A value that is
   * not a handle this library knows gives a guard counted `invalid` when disposed.
   *
   * @example
   * ```ts
   * await using heading = batcher.adopt(await page.$('h1'));
   * ```
   */
  adopt(handle: ClientHandle): RemoteObjectHandle;
  adopt(targetOrHandle: CdpTarget | ClientHandle, remoteObjectOrId?: RemoteObjectLike): RemoteObjectHandle {
    const client = clientHandleOf(targetOrHandle);
    if (client !== null) {
      if (this.#trackLeaks) this.#net.watch(targetOrHandle, client); // the net follows the handle, not the guard
      return new ClientHandleGuard(this.#ledger, client, targetOrHandle as CdpTarget);
    }
    const target = targetOrHandle as CdpTarget;
    const handle = new ObjectHandle(this.#ledger, target, remoteObjectOrId, this.#onAdoptedDisposed);
    if (this.#trackLeaks && handle.objectId !== '') this.#net.track(handle, target, handle.objectId);
    return handle;
  }

  /**
   * The leak net for a client's own handle: returns the same handle, counted in `stats.watched` /
   * `watchedByPage` until it is disposed. Collected before anyone disposed it, its objects are
   * released on their own session and it is counted `leaked`. playwright-core keeps every handle
   * reachable until disposed: there only `watched` shows a forgotten one. A value that is not a
   * handle this library knows (or one disposed already) is returned as it is. Never throws.
   *
   * @example
   * ```ts
   * const rows = (await page.$$('tr')).map((row) => batcher.watch(row)); // forgotten rows still get released
   * ```
   */
  watch<H extends ClientHandle>(handle: H): H {
    const client = clientHandleOf(handle);
    if (client !== null) this.#net.watch(handle, client);
    return handle;
  }

  /**
   * A new object group on `target`, released with one `Runtime.releaseObjectGroup` when the scope is
   * disposed: one round trip per scope instead of one per object, for objects sharing a lifetime.
   *
   * @example
   * ```ts
   * await using scope = batcher.scope(client);
   * await client.Runtime.evaluate({ expression: 'document.links', objectGroup: scope.objectGroup });
   * ```
   */
  scope(target: CdpTarget): ReleaseScope {
    return new ReleaseScopeImpl(this.#ledger, target);
  }

  /** Resolves when every release enqueued before this call has settled (in any outcome). Never rejects. */
  flush(): Promise<void> {
    return new Promise<void>((resolve) => this.#ledger.whenFlushed(resolve));
  }

  /**
   * {@link flush} as an Observable: emits once (`undefined`) and completes when every release
   * enqueued before the subscription has settled — in the call that settled the last of them, so in
   * `TestScheduler.run` at that frame. Unsubscribing stops waiting. Never errors.
   *
   * @example
   * ```ts
   * expectObservable(batcher.flush$()).toBe('---(f|)', { f: undefined }); // answers come at frame 3
   * ```
   */
  flush$(): Observable<void> {
    return doneOnce((done) => this.#ledger.whenFlushed(done));
  }

  /**
   * Stops accepting releases (later ones are counted `dropped`), waits for everything enqueued to
   * settle, emits a final `stats$` snapshot, then completes `stats$` and `batches$` — in the call
   * that settled the last release. Idempotent: every call returns the same promise. Never rejects.
   */
  close(): Promise<void> {
    return this.#close.promise();
  }

  /**
   * {@link close} as an Observable: subscribing closes the batcher (idempotent); it emits once and
   * completes when the close is done, at the frame of the last settlement in virtual time.
   *
   * @example
   * ```ts
   * expectObservable(batcher.close$()).toBe('---(c|)', { c: undefined });
   * ```
   */
  close$(): Observable<void> {
    return doneOnce((done) => this.#close.whenClosed(done));
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** An Observable that, on subscribe, starts `start` and emits once (`undefined`) then completes when it is done. */
function doneOnce(start: (done: () => void) => void): Observable<void> {
  return new Observable<void>((subscriber) => {
    start(() => {
      subscriber.next();
      subscriber.complete();
    });
  });
}
