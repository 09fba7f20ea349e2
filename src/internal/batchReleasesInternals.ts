import type { Observable, Observer } from 'rxjs';
import { bufferMicrotask } from '../operators/bufferMicrotask.js';
import type { ReleaseListener } from '../listener.js';
import type { ReleaseRequest } from '../request.js';
import type { BatchReport } from '../stats.js';
import { ReleaseDispatcher } from './dispatcher.js';
import type { ResolvedBatchOptions } from './resolveOptions.js';

/**
 * The one release pipeline, as RxJS's `mergeInternals` is the one merge: `source`, cut into batches
 * by {@link bufferMicrotask}, each batch handed to a {@link ReleaseDispatcher}; every settled batch's
 * report goes to `destination`, which completes once the source has completed and every batch has
 * settled, and errors at once when the source errors (calls already cut keep running). Both entry
 * points run it: the `batchReleases` operator (which validates each request here, `isValid`) and
 * `ReleaseBatcher` (which validated them when they were enqueued), each with options resolved once.
 *
 * `counted`, when given, is called after each settlement has been counted into its batch — after
 * that batch's report, if it was the batch's last call.
 *
 * @returns the dispatcher (to forget targets through) and the teardown: unsubscribe from the source
 * and settle every call still waiting as `dropped`.
 * @internal
 */
export function batchReleasesInternals<R extends ReleaseRequest>(
  source: Observable<R>,
  destination: Observer<BatchReport>,
  options: ResolvedBatchOptions,
  listener: ReleaseListener<R>,
  isValid?: (request: R) => boolean,
  counted?: () => void,
): { readonly dispatcher: ReleaseDispatcher<R>; readonly teardown: () => void } {
  let sourceDone = false;
  const dispatcher = new ReleaseDispatcher<R>(options, {
    listener,
    report: (report) => destination.next(report),
    counted,
    idle: () => {
      if (sourceDone) destination.complete();
    },
  });
  const upstream = source.pipe(bufferMicrotask<R>(options.maxBatch, options.scheduler)).subscribe({
    next: (batch) => dispatcher.dispatch(batch, isValid),
    error: (err: unknown) => destination.error(err),
    complete: () => {
      sourceDone = true;
      if (dispatcher.idle) destination.complete();
    },
  });
  return {
    dispatcher,
    teardown: () => {
      upstream.unsubscribe();
      dispatcher.teardown();
    },
  };
}
