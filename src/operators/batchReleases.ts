import { Observable, type OperatorFunction } from 'rxjs';
import { runReleasePipeline } from '../internal/pipeline.js';
import { resolveBatchOptions } from '../internal/resolveOptions.js';
import type { BatchOptions } from '../options.js';
import type { ReleaseListener } from '../listener.js';
import { isValidRequest, type ReleaseRequest } from '../request.js';
import type { BatchReport } from '../stats.js';
import type { CdpTarget } from '../target.js';

/** Options of {@link batchReleases}: the batch options plus an optional listener. */
export interface BatchReleasesOptions<R extends ReleaseRequest = ReleaseRequest> extends BatchOptions {
  /** Told when each batch is cut, each request is sent and each request settles. Must not throw. */
  readonly listener?: ReleaseListener<R>;
  /**
   * Targets that are gone: each one's waiting calls are dropped unsent, its in-flight calls settled
   * `gone` at once, and its later requests dropped. (Targets marked gone process-wide — a detached
   * `criSession`, a disconnected client, a "target closed" answer — are forgotten without this.)
   */
  readonly forget$?: Observable<CdpTarget>;
}

/**
 * Sends release requests to their targets in batches and emits one {@link BatchReport} per settled
 * batch.
 *
 * <span class="informal">`bufferMicrotask(maxBatch)`, then each batch `mergeMap`ped into concurrent
 * calls — with a per-target bound, a timeout per call, and every call's failure kept to itself.</span>
 *
 * ```
 * requests:  (abc)--d-----|
 * reports:   -----R----S--|      R for [a,b,c] once all three settled, S for [d]
 * ```
 *
 * Semantics:
 * - Batches are cut by {@link bufferMicrotask}: `maxBatch` requests, or whatever is waiting at the
 *   scheduler's flush (the end of the microtask checkpoint by default). No empty batch.
 * - Each request becomes one `Runtime.releaseObject` (or `Runtime.releaseObjectGroup`) call. The
 *   calls of a batch run concurrently; the dispatcher never waits on in-flight batches; a target
 *   never has more than `maxInFlight` calls outstanding — the rest wait, in order.
 * - A call's rejection is classified (`gone` or `failed`, see {@link classifyReleaseError}); no
 *   answer within `timeoutMs` is `timedOut` and frees the slot. Neither affects any other call, later
 *   batches or the stream. Invalid requests are counted `invalid` and never sent.
 * - Reports are emitted in the order batches settle, so a hung target delays only the reports of
 *   batches holding its calls — never its neighbours' calls.
 * - Source completes: the result completes once every batch has settled.
 * - Source errors: the error is forwarded at once; calls already cut keep running and still reach
 *   the listener.
 * - Unsubscribe: calls waiting for a slot are settled `dropped` (the listener hears it); calls in
 *   flight still settle, at the latest after `timeoutMs`.
 *
 * ## Example
 * ```ts
 * import { Subject } from 'rxjs';
 * import { batchReleases, type ReleaseRequest } from 'cdp-release-batcher';
 *
 * const releases = new Subject<ReleaseRequest>();
 * releases.pipe(batchReleases({ maxBatch: 64 })).subscribe((r) => console.log(`${r.released}/${r.size} in ${r.durationMs} ms`));
 * releases.next({ target: client, objectId });
 * ```
 *
 * @param options Batch size, per-target bound, timeout, scheduler and listener. Invalid values throw
 * a `RangeError` naming the option when the operator is created.
 * @return A function that returns an Observable of one report per settled batch.
 */
export function batchReleases<R extends ReleaseRequest = ReleaseRequest>(
  options: BatchReleasesOptions<R> = {},
): OperatorFunction<R, BatchReport> {
  const resolved = resolveBatchOptions(options);
  const listener: ReleaseListener<R> = options.listener ?? {};
  const forget$ = options.forget$;
  return (source) =>
    new Observable<BatchReport>((subscriber) => {
      const { dispatcher, teardown } = runReleasePipeline(source, resolved, {
        isValid: isValidRequest,
        cut: (size) => listener.batch?.(size),
        sent: (request) => listener.sent?.(request),
        settled: (request, outcome, wasSent, report) => {
          listener.settled?.(request, outcome, wasSent);
          if (report !== undefined) subscriber.next(report);
        },
        complete: () => subscriber.complete(),
        error: (err) => subscriber.error(err),
      });
      const forgetting = forget$?.subscribe((target) => dispatcher.forget(target));
      return () => {
        forgetting?.unsubscribe();
        teardown();
      };
    });
}
