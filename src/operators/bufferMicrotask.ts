import { asapScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { microtaskBuffer } from '../internal/microtaskBuffer.js';

/**
 * Buffers the source values until `maxSize` are waiting or the scheduler's next flush — by default
 * the end of the current microtask checkpoint — whichever comes first, and emits them as an array.
 *
 * <span class="informal">`bufferCount(maxSize)` that also lets a partial buffer go at the end of
 * the current job, without keeping a timer.</span>
 *
 * ```
 * source (all in one frame):  (abcde)
 * bufferMicrotask(2):         ([a,b] [c,d] [e])   ← the last one at the scheduler's flush
 * ```
 *
 * Semantics:
 * - The first value into an empty buffer schedules one flush action on `scheduler` (delay 0). When
 *   the buffer fills up first, it is emitted at once and that action is cancelled. So nothing is
 *   scheduled while the buffer is empty, and a process whose only subscriber is idle exits.
 *   (`bufferTime(0, null, n, asapScheduler)` differs here: it re-arms forever and emits `[]`.)
 * - Never emits `[]`.
 * - Source completes: the remainder (if any) is emitted, then the result completes.
 * - Source errors: the error is forwarded at once and the buffered values are discarded, as in
 *   RxJS's own buffer operators.
 * - Unsubscribe: the pending flush is cancelled and the buffer discarded.
 *
 * ## Example
 * ```ts
 * import { Subject } from 'rxjs';
 * import { bufferMicrotask } from 'cdp-release-batcher';
 *
 * const ids = new Subject<string>();
 * ids.pipe(bufferMicrotask(64)).subscribe((batch) => console.log(batch.length));
 * for (let i = 0; i < 100; i++) ids.next(`id-${i}`);
 * // logs 64 at once, then 36 at the end of the microtask checkpoint
 * ```
 *
 * @param maxSize Most values per emitted array; an integer >= 1 (else `RangeError`).
 * @param scheduler Where the partial-buffer flush is scheduled; `asapScheduler` (a microtask) by
 * default. Tests pass a `TestScheduler` to see the flush in virtual time.
 * @return A function that returns an Observable of arrays of at most `maxSize` values.
 */
export function bufferMicrotask<T>(maxSize: number, scheduler: SchedulerLike = asapScheduler): OperatorFunction<T, T[]> {
  if (!Number.isInteger(maxSize) || maxSize < 1) {
    throw new RangeError(`bufferMicrotask: maxSize must be an integer >= 1, got ${String(maxSize)}`);
  }
  return microtaskBuffer(maxSize, scheduler);
}
