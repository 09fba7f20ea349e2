import type { Observable } from 'rxjs';
import type { ReleaseRequest } from '../request.js';
import { ReleaseDispatcher, type DispatchHooks } from './dispatcher.js';
import { microtaskBuffer } from './microtaskBuffer.js';
import type { ResolvedBatchOptions } from './resolveOptions.js';

/** What the pipeline tells its owner: the dispatcher's hooks, and how the source ended. @internal */
export interface PipelineHooks<R extends ReleaseRequest> extends Omit<DispatchHooks<R>, 'idle'> {
  /** Asked once per request as it is cut: `false` settles it `invalid`, unsent. Omitted: all valid. */
  readonly isValid?: ((request: R) => boolean) | undefined;
  /** The source completed and every request it gave has settled. */
  complete(): void;
  /** The source errored (calls already cut keep running and still settle). */
  error(err: unknown): void;
}

/** A running pipeline: its dispatcher (to forget targets through) and its teardown. @internal */
export interface ReleasePipeline<R extends ReleaseRequest> {
  readonly dispatcher: ReleaseDispatcher<R>;
  /** Unsubscribes from the source and settles every call still waiting for a slot as `dropped`. */
  readonly teardown: () => void;
}

/**
 * The one release pipeline, as RxJS's `mergeInternals` is the one merge: `source`, cut into batches
 * by the microtask buffer, each batch handed to a {@link ReleaseDispatcher}. Both entry points run
 * it: the `batchReleases` operator (which has each request validated here) and `ReleaseBatcher`
 * (which validated them when they were enqueued), each with options resolved once.
 * @internal
 */
export function runReleasePipeline<R extends ReleaseRequest>(
  source: Observable<R>,
  options: ResolvedBatchOptions,
  hooks: PipelineHooks<R>,
): ReleasePipeline<R> {
  let sourceDone = false;
  const dispatcher = new ReleaseDispatcher<R>(options, {
    cut: hooks.cut,
    sent: hooks.sent,
    settled: (request, outcome, wasSent, report, error) => hooks.settled(request, outcome, wasSent, report, error),
    idle: () => {
      if (sourceDone) hooks.complete();
    },
  });
  const isValid = hooks.isValid;
  const upstream = source.pipe(microtaskBuffer<R>(options.maxBatch, options.scheduler)).subscribe({
    next: (batch) => dispatcher.dispatch(batch, isValid),
    error: (err: unknown) => hooks.error(err),
    complete: () => {
      sourceDone = true;
      if (dispatcher.idle) hooks.complete();
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
