import { Observable, Subject, type SchedulerLike, type Subscription } from 'rxjs';
import type { ClientHandle, RemoteObjectHandle, RemoteObjectLike } from './handle.js';
import { inspectClientHandle, isReleasableHandle, type HandleObject } from './internal/clients/index.js';
import { batchReleasesInternals } from './internal/batchReleasesInternals.js';
import { ReleaseCounters } from './internal/counters.js';
import type { ReleaseDispatcher } from './internal/dispatcher.js';
import { FlushBarrier, type FlushEpoch } from './internal/flushBarrier.js';
import { ClientHandleGuard, RemoteObjectHandleImpl, ReleaseScopeImpl } from './internal/guards.js';
import { resolveBatcherOptions } from './internal/resolveOptions.js';
import type { ReleaseListener } from './listener.js';
import type { ReleaseBatcherOptions } from './options.js';
import type { ReleaseOutcome } from './outcome.js';
import { isReleasableId, type ReleaseRequest } from './request.js';
import type { ReleaseScope } from './scope.js';
import type { BatchReport, ReleaseStats } from './stats.js';
import { isCdpTarget, type CdpTarget } from './target.js';

/** A request as the batcher enqueues it: with its flush epoch and deduplication key. */
type TrackedRequest = ReleaseRequest & {
  readonly key: string;
  readonly epoch: FlushEpoch;
  readonly onSettled: ((outcome: ReleaseOutcome) => void) | undefined;
};

/**
 * Settlements alone (no batch completed, nothing enqueued) reach `stats$` at most once per this many
 * milliseconds of scheduler time. Without it, a target answering each call in its own macrotask gave
 * one emission per release (measured: 4,957–8,274 emissions for a 313-batch burst over
 * chrome-remote-interface). Four a second keeps a dashboard live — also while a batch waits on a
 * stalled target, so no batch completes — at a cost that does not grow with the release rate.
 */
export const STATS_SETTLE_INTERVAL_MS = 250;

/** What the leak net keeps for a handle: its objects, and how to count it out of `watched`. */
interface LeakRecord {
  readonly objects: readonly HandleObject[];
  readonly countOut: (() => void) | null;
}

/** Object groups share the deduplication set with object ids; this prefix keeps them apart. */
const GROUP_KEY_PREFIX = '\u0000group:';

/**
 * Releases CDP remote objects in the background, in batches: `release()` returns at once and never
 * throws; a `Subject` piped through {@link batchReleases} sends the calls; every release ends in
 * exactly one counted outcome.
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
  readonly #counters = new ReleaseCounters();
  readonly #requests = new Subject<TrackedRequest>();
  readonly #batches = new Subject<BatchReport>();
  readonly #statsChanges = new Subject<ReleaseStats>();
  readonly #barrier = new FlushBarrier();
  /** Epochs of settlements told but not yet counted (nested when a send settles synchronously). */
  readonly #leaving: FlushEpoch[] = [];
  /** (target → keys pending or in flight): the deduplication index. Emptied entries are deleted. */
  readonly #keys = new Map<CdpTarget, Set<string>>();
  readonly #scheduler: SchedulerLike;
  #statsDirty = false;
  /** An emission due at the end of the current microtask checkpoint (something was enqueued). */
  #statsAction: Subscription | null = null;
  /** An emission due {@link STATS_SETTLE_INTERVAL_MS} after the last one (something settled). */
  #statsTimer: Subscription | null = null;
  /** Scheduler time of the last emission. */
  #statsEmittedAt = Number.NEGATIVE_INFINITY;
  #closed = false;
  #closing: Promise<void> | null = null;
  /** Who waits for the close to be done; empty once it is. */
  readonly #closeWaiting: (() => void)[] = [];
  #closeDone = false;
  /** The pipeline's engine: it also keeps which targets are forgotten. */
  readonly #dispatcher: ReleaseDispatcher<TrackedRequest>;
  /** `trackLeaks`: adopted handles are registered with the leak registry. */
  readonly #trackLeaks: boolean;
  /**
   * The one leak registry: adopted handles (with `trackLeaks`) and watched client handles, each
   * registered with the objects to release once it is collected undisposed. Made on first use.
   */
  #leaks: FinalizationRegistry<LeakRecord> | null = null;
  /** Client handles this batcher watches (each counted once in `watched`). */
  readonly #watching = new WeakSet();
  readonly #onHandleDisposed: ((handle: RemoteObjectHandleImpl) => void) | null;

  /**
   * Live statistics: a snapshot on subscribe, then on change, coalesced — whatever the answers'
   * timing, a burst of N releases gives about N / maxBatch emissions plus at most four per second.
   * An emission comes at the end of the microtask checkpoint in which releases were enqueued, when a
   * batch settles (right after its `batches$` report), and, for calls settling while no batch
   * completes (a batch waiting on a stalled target), at most once per {@link STATS_SETTLE_INTERVAL_MS}
   * (250 ms) of scheduler time. Completes when the batcher is closed.
   */
  readonly stats$: Observable<ReleaseStats>;

  /** One report per settled batch, emitted before the `flush()` that waited for it settles.
   *  Completes when the batcher is closed. Hot: a late subscriber sees only later batches. */
  readonly batches$: Observable<BatchReport>;

  constructor(options: ReleaseBatcherOptions = {}) {
    const resolved = resolveBatcherOptions(options);
    this.#scheduler = resolved.scheduler;
    this.#trackLeaks = resolved.trackLeaks;
    this.#onHandleDisposed = resolved.trackLeaks ? (handle) => this.#leakRegistry().unregister(handle) : null;
    const listener: ReleaseListener<TrackedRequest> = {
      batch: () => {
        this.#counters.batches++;
        this.#statsDirty = true;
      },
      sent: () => {
        this.#counters.pending--;
        this.#counters.inFlight++;
        this.#statsDirty = true;
      },
      settled: (request, outcome, wasSent) => this.#onSettled(request, outcome, wasSent),
    };
    // The one pipeline, fed requests this batcher has already validated and deduplicated.
    this.#dispatcher = batchReleasesInternals(this.#requests, {
      next: (report) => {
        this.#batches.next(report);
        this.#emitStats();
      },
      error: () => undefined, // the request Subject never errors
      complete: () => undefined, // close() completes the public streams itself, after the flush
    }, resolved, listener, undefined, () => this.#afterCounted()).dispatcher;
    this.stats$ = new Observable<ReleaseStats>((subscriber) => {
      subscriber.next(this.#counters.snapshot());
      return this.#statsChanges.subscribe(subscriber);
    });
    this.batches$ = this.#batches.asObservable();
  }

  /** The current statistics (a frozen snapshot). */
  get stats(): ReleaseStats {
    return this.#counters.snapshot();
  }

  /** True once `close()` was called: later releases are counted `dropped`. */
  get closed(): boolean {
    return this.#closed;
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
   * Releases a client's own handle — a puppeteer-core or playwright-core `JSHandle` / `ElementHandle`
   * as `page.$$()`, `evaluateHandle()` or `getProperties()` gave it — on the connection that created its
   * object (ids belong to one session: a second session such as `page.createCDPSession()` finds
   * nothing). Exactly one release message per remote object, through this batcher (for playwright:
   * the handle's own `dispose()`, called once by the batcher; `released` when playwright confirmed it);
   * the handle reads disposed at once and its own `dispose()` then sends nothing. Same guarantees as a release by id: synchronous,
   * O(1), never throws, one counted outcome per object (an ElementHandle with a twin in puppeteer's
   * isolated world holds two). A handle its client disposed already is counted `duplicate`; a handle to
   * a primitive holds nothing and is not counted; after `close()` it is counted `dropped` and left to
   * its client; anything else is `invalid`.
   *
   * @example
   * ```ts
   * for (const link of await page.$$('a')) batcher.release(link); // no await, no session to find
   * ```
   */
  release(handle: ClientHandle): void;
  release(targetOrHandle: CdpTarget | ClientHandle, objectId?: string): void {
    if (objectId === undefined) this.#releaseHandle(targetOrHandle);
    else this.#enqueueChecked(targetOrHandle as CdpTarget, objectId, false, undefined);
  }

  /**
   * Enqueues one `Runtime.releaseObjectGroup`: every object Chrome created with that `objectGroup`
   * (on `Runtime.evaluate`, `callFunctionOn`, `DOM.resolveNode`, and what `getProperties` reads from them) goes in one call.
   * Same guarantees as {@link release}.
   *
   * @example
   * ```ts
   * await client.Runtime.evaluate({ expression: 'document.links', objectGroup: 'page-7' });
   * batcher.releaseGroup(client, 'page-7');
   * ```
   */
  releaseGroup(target: CdpTarget, objectGroup: string): void {
    this.#enqueueChecked(target, objectGroup, true, undefined);
  }

  /**
   * The target is gone (its page closed, its session detached, its renderer crashed): its pending
   * releases are dropped unsent, its calls in flight settle as `gone` at once instead of waiting for
   * `timeoutMs`, and later releases to it are dropped. Never throws.
   *
   * {@link criSession} targets and chrome-remote-interface clients are forgotten automatically; with
   * puppeteer-core or playwright-core, call this from the page's `close` / `crash` events.
   *
   * @example
   * ```ts
   * page.once('close', () => batcher.forget(session));
   * ```
   */
  forget(target: CdpTarget): void {
    if (!isCdpTarget(target)) return;
    this.#dispatcher.forget(target);
  }

  /**
   * Wraps a remote object (or its id) in a handle that releases it on `dispose()` — `using` and
   * `await using` work. A remote object without `objectId` (a primitive) gives a handle whose dispose
   * does nothing; anything else that is not an id is counted `invalid` when disposed. Never throws.
   *
   * @example
   * ```ts
   * await using node = batcher.adopt(client, (await client.DOM.resolveNode({ nodeId })).object);
   * ```
   */
  adopt(target: CdpTarget, remoteObjectOrId: RemoteObjectLike): RemoteObjectHandle;
  /**
   * A guard over a client's own handle (puppeteer-core or playwright-core): disposing it
   * releases the handle as {@link release} does (on its own session, one message; the handle ends
   * disposed). If the client disposes the handle first, the guard sends nothing. The guard itself is
   * never tracked as a leak: dropping it while the handle lives releases nothing; with `trackLeaks`
   * the client's handle is watched instead ({@link watch}).
   * A value that is not a handle this library knows gives a guard counted `invalid` when disposed.
   *
   * @example
   * ```ts
   * await using heading = batcher.adopt(await page.$('h1'));
   * ```
   */
  adopt(handle: ClientHandle): RemoteObjectHandle;
  adopt(targetOrHandle: CdpTarget | ClientHandle, remoteObjectOrId?: RemoteObjectLike): RemoteObjectHandle {
    if (remoteObjectOrId === undefined) {
      const client = inspectClientHandle(targetOrHandle);
      if (isReleasableHandle(client)) {
        if (this.#trackLeaks) this.watch(targetOrHandle as ClientHandle); // the net follows the handle, not the guard
        return new ClientHandleGuard(this, client, targetOrHandle as CdpTarget);
      }
    }
    const target = targetOrHandle as CdpTarget;
    const handle = new RemoteObjectHandleImpl(this, target, remoteObjectOrId, this.#onHandleDisposed);
    if (this.#trackLeaks && handle.objectId !== '') {
      this.#leakRegistry().register(handle, { objects: [{ target, objectId: handle.objectId }], countOut: null }, handle);
    }
    return handle;
  }

  /**
   * The leak safety net for a client's own handle (puppeteer-core or playwright-core): returns the
   * same handle, counted in `stats.watched` / `watchedByPage` until it is disposed. If it becomes
   * unreachable before anyone disposed it, its objects are released on their own session (after the
   * garbage collector got to it: late, but not forgotten) and it is counted `leaked`. A handle disposed
   * by its client, released through `release(handle)` or a guard is not counted and sends nothing
   * more. Costs a `FinalizationRegistry` entry per handle. playwright-core keeps every handle
   * reachable until disposed: a forgotten one is never collected, and only `watched` shows it.
   * A value that is not a handle this library knows (or one already disposed) is returned as it is,
   * not watched and not counted. Never throws.
   *
   * @example
   * ```ts
   * const rows = (await page.$$('tr')).map((row) => batcher.watch(row)); // forgotten rows still get released
   * ```
   */
  watch<H extends ClientHandle>(handle: H): H {
    const client = inspectClientHandle(handle);
    if (!isReleasableHandle(client) || client.alreadyDisposed || client.objects.length === 0) return handle;
    if (this.#watching.has(handle)) return handle;
    this.#watching.add(handle);
    const countOut = this.#counters.watched.add(client.page());
    this.#scheduleStats();
    if (client.heldByClient) {
      // Its client holds it until disposed: no collection to wait for, only the live count.
      client.onDisposed(() => this.#countOut(countOut));
      return handle;
    }
    const registry = this.#leakRegistry();
    // Plain records: what the registry holds must not reach the handle, or it is never collected.
    const objects = client.objects.map(({ target, objectId }) => ({ target, objectId }));
    registry.register(handle, { objects, countOut }, handle);
    client.onDisposed(() => {
      registry.unregister(handle);
      this.#countOut(countOut);
    });
    return handle;
  }

  /**
   * A new object group on `target`, released with one `Runtime.releaseObjectGroup` when the scope is
   * disposed. Prefer it whenever objects share a lifetime (one page visit, one request): it replaces
   * one round trip per object with one per scope.
   *
   * @example
   * ```ts
   * await using scope = batcher.scope(client);
   * await client.Runtime.evaluate({ expression: 'document.links', objectGroup: scope.objectGroup });
   * ```
   */
  scope(target: CdpTarget): ReleaseScope {
    return new ReleaseScopeImpl(this, target);
  }

  /**
   * Resolves when every release enqueued before this call has settled (in any outcome). Never
   * rejects. Releases enqueued afterwards are not waited for.
   */
  flush(): Promise<void> {
    return this.#barrier.flush();
  }

  /**
   * {@link flush} as an Observable, for marble tests and pipelines: on subscribe it waits for every
   * release enqueued before that moment, then emits once (`undefined`) and completes — synchronously,
   * in the call that settled the last of them, so inside `TestScheduler.run` it lands at that frame.
   * Unsubscribing stops waiting (nothing else changes). Never errors.
   *
   * @example
   * ```ts
   * expectObservable(batcher.flush$()).toBe('---(f|)', { f: undefined }); // answers come at frame 3
   * ```
   */
  flush$(): Observable<void> {
    return new Observable<void>((subscriber) => {
      this.#barrier.whenFlushed(() => {
        subscriber.next();
        subscriber.complete();
      });
    });
  }

  /**
   * Stops accepting releases (later ones are counted `dropped`), waits for everything enqueued to
   * settle, emits a final `stats$` snapshot, then completes `stats$` and `batches$` — in the call that
   * settled the last release (at once if none was out). Idempotent: every call returns the same
   * promise. Never rejects.
   */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => this.#whenClosed(resolve));
    return this.#closing;
  }

  /**
   * {@link close} as an Observable: subscribing closes the batcher (idempotent); it emits once
   * (`undefined`) and completes when the close is done — after the final `stats$` snapshot and the
   * completion of `stats$` and `batches$`, at the frame of the last settlement in virtual time.
   *
   * @example
   * ```ts
   * expectObservable(batcher.close$()).toBe('---(c|)', { c: undefined });
   * ```
   */
  close$(): Observable<void> {
    return new Observable<void>((subscriber) => {
      this.#whenClosed(() => {
        subscriber.next();
        subscriber.complete();
      });
    });
  }

  /** Starts closing (once) and calls `done` when closed. */
  #whenClosed(done: () => void): void {
    if (this.#closeDone) {
      done();
      return;
    }
    this.#closeWaiting.push(done);
    if (this.#closed) return;
    this.#closed = true;
    this.#barrier.whenFlushed(() => {
      this.#cancelStatsAction();
      this.#statsDirty = true;
      this.#emitStats();
      this.#requests.complete();
      this.#statsChanges.complete();
      this.#batches.complete();
      this.#closeDone = true;
      for (const waiting of this.#closeWaiting.splice(0)) waiting();
    });
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal Enqueues with a callback told the outcome (used by handles and scopes). When the
   *  request ends at once (invalid, duplicate, dropped) the callback is called before this returns. */
  enqueueTracked(target: CdpTarget, id: string, group: boolean, onSettled: (outcome: ReleaseOutcome) => void): void {
    this.#enqueueChecked(target, id, group, onSettled);
  }

  #releaseHandle(value: unknown): void {
    const handle = inspectClientHandle(value);
    if (!isReleasableHandle(handle)) {
      this.#endAtOnce('invalid'); // not a handle we know: `explainClientHandle(value)` says why
      return;
    }
    if (this.#closed || handle.alreadyDisposed) {
      // Closed: dropped, and left to its client. Disposed by its client: its release was sent.
      const outcome = handle.alreadyDisposed ? 'duplicate' : 'dropped';
      for (let i = 0; i < Math.max(1, handle.objects.length); i++) this.#endAtOnce(outcome);
      return;
    }
    handle.markDisposed(); // before anything is sent: its client's own dispose() must send nothing
    for (const { target, objectId } of handle.objects) this.#enqueueChecked(target, objectId, false, undefined);
  }

  /** A release that ends as soon as it is enqueued. */
  #endAtOnce(outcome: 'invalid' | 'duplicate' | 'dropped'): void {
    this.#counters.enqueued++;
    this.#counters.outcomes[outcome]++;
    this.#scheduleStats();
  }

  #enqueueChecked(target: CdpTarget, id: string, group: boolean, onSettled: ((outcome: ReleaseOutcome) => void) | undefined): void {
    const counters = this.#counters;
    counters.enqueued++;
    let immediate: ReleaseOutcome | null = null;
    if (!isCdpTarget(target) || !isReleasableId(id)) {
      counters.outcomes.invalid++;
      immediate = 'invalid';
    } else if (this.#closed || this.#dispatcher.isForgotten(target)) {
      counters.outcomes.dropped++;
      immediate = 'dropped';
    } else {
      const key = group ? GROUP_KEY_PREFIX + id : id;
      let keys = this.#keys.get(target);
      if (keys === undefined) {
        keys = new Set<string>();
        this.#keys.set(target, keys);
      }
      if (keys.has(key)) {
        counters.outcomes.duplicate++;
        immediate = 'duplicate';
      } else {
        keys.add(key);
        counters.pending++;
        const request = {
          target,
          objectId: group ? undefined : id,
          objectGroup: group ? id : undefined,
          key,
          epoch: this.#barrier.enter(),
          onSettled,
        } as TrackedRequest;
        this.#requests.next(request);
      }
    }
    this.#scheduleStats();
    if (immediate !== null && onSettled !== undefined) onSettled(immediate);
  }

  /** One `stats$` emission at the end of the current microtask checkpoint, however many changes. */
  #scheduleStats(): void {
    this.#statsDirty = true;
    if (this.#statsAction === null) {
      this.#statsAction = this.#scheduler.schedule(() => {
        this.#statsAction = null;
        this.#emitStats();
      });
    }
  }

  #onSettled(request: TrackedRequest, outcome: ReleaseOutcome, wasSent: boolean): void {
    const counters = this.#counters;
    if (wasSent) counters.inFlight--;
    else counters.pending--;
    counters.outcomes[outcome]++;
    // Watched: settlements show up even when no batch completes (a batch that holds a call to a
    // stalled target completes only at its timeout), throttled in time. Unwatched: no work at all.
    this.#statsDirty = true;
    if (this.#statsChanges.observed) this.#scheduleSettledStats();
    const keys = this.#keys.get(request.target);
    if (keys !== undefined && keys.delete(request.key) && keys.size === 0) this.#keys.delete(request.target);
    // Left once the settlement is counted (and its batch reported): a flush never ends before the
    // report of the batch that held its last release.
    this.#leaving.push(request.epoch);
    request.onSettled?.(outcome);
  }

  /** The settlement told last has been counted and reported: its flush epoch may let go. */
  #afterCounted(): void {
    const epoch = this.#leaving.pop();
    if (epoch !== undefined) this.#barrier.leave(epoch);
  }

  /** One emission {@link STATS_SETTLE_INTERVAL_MS} after the last one (at once if that is past). */
  #scheduleSettledStats(): void {
    if (this.#statsTimer !== null || this.#statsAction !== null) return;
    const delay = Math.max(0, this.#statsEmittedAt + STATS_SETTLE_INTERVAL_MS - this.#scheduler.now());
    this.#statsTimer = this.#scheduler.schedule(() => {
      this.#statsTimer = null;
      this.#emitStats();
    }, delay);
  }

  /**
   * Made here, not inside `watch()` or `adopt()`: a closure created there would share that call's
   * scope — the handle included — and the registry would hold the first registered handle forever
   * (measured with `watch()`).
   */
  #leakRegistry(): FinalizationRegistry<LeakRecord> {
    return (this.#leaks ??= new FinalizationRegistry((record) => this.#onLeaked(record)));
  }

  /** A registered handle was collected undisposed: one leak, its objects released. */
  #onLeaked({ objects, countOut }: LeakRecord): void {
    this.#counters.leaked++;
    countOut?.();
    for (const { target, objectId } of objects) this.#enqueueChecked(target, objectId, false, undefined); // schedules stats
  }

  /** A watched handle was disposed: one fewer waiting. */
  #countOut(countOut: () => void): void {
    countOut();
    this.#scheduleStats();
  }

  #emitStats(): void {
    if (!this.#statsDirty) return;
    this.#statsDirty = false;
    // This emission carries every change so far: a throttled one still waiting has nothing to add.
    if (this.#statsTimer !== null) {
      this.#statsTimer.unsubscribe();
      this.#statsTimer = null;
    }
    this.#statsEmittedAt = this.#scheduler.now();
    this.#statsChanges.next(this.#counters.snapshot());
  }

  #cancelStatsAction(): void {
    this.#statsAction?.unsubscribe();
    this.#statsAction = null;
    this.#statsTimer?.unsubscribe();
    this.#statsTimer = null;
  }
}
