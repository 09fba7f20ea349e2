import { asyncScheduler, buffer, connect, filter, map, merge, throttleTime, type Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { BatchReport, ReleaseStats } from './stats.js';

/** One event of {@link releaseEvents}: plain JSON, ready for a web page. `at` is the scheduler's time (ms). */
export type ReleaseEvent =
  | { readonly type: 'stats'; readonly at: number; readonly stats: ReleaseStats }
  | { readonly type: 'batches'; readonly at: number; readonly batches: readonly BatchReport[] };

export interface ReleaseEventsOptions {
  /**
   * At most one `stats` event per this many ms (leading and trailing: the first change goes out at
   * once, the last one is never lost). 0 sends every `stats$` emission. Default 250.
   */
  readonly intervalMs?: number;
  /** Scheduler of the throttling; tests pass a `TestScheduler`. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** What {@link releaseEvents} reads: a {@link ReleaseBatcher}, or anything with the same two streams. */
export interface ReleaseEventSource {
  readonly stats$: Observable<ReleaseStats>;
  readonly batches$: Observable<BatchReport>;
}

/**
 * A batcher's `stats$` and `batches$` as one stream of plain events for a dashboard: `stats` at most
 * once per `intervalMs`, and the batch reports of each interval grouped into one `batches` event.
 * Timers run only while something is to be sent: an idle batcher costs nothing. Completes when both
 * streams complete (when the batcher is closed), after sending the final state.
 *
 * @example
 * ```ts
 * releaseEvents(batcher).pipe(toServerSentEvents()).subscribe((frame) => response.write(frame));
 * ```
 */
export function releaseEvents(source: ReleaseEventSource, options: ReleaseEventsOptions = {}): Observable<ReleaseEvent> {
  const intervalMs = options.intervalMs ?? 250;
  if (!Number.isFinite(intervalMs) || intervalMs < 0) { // Number.isFinite is false for anything not a number
    throw new RangeError(`intervalMs must be a finite number >= 0, got ${String(intervalMs)}`);
  }
  const scheduler = options.scheduler ?? asyncScheduler;
  const throttled = <T>(): OperatorFunction<T, T> => (intervalMs === 0 ? (s) => s : throttleTime<T>(intervalMs, scheduler, { leading: true, trailing: true }));
  const stats = source.stats$.pipe(
    throttled<ReleaseStats>(),
    map((s): ReleaseEvent => ({ type: 'stats', at: scheduler.now(), stats: s })),
  );
  const batches = source.batches$.pipe(
    connect((shared) => shared.pipe(
      // Flush at the end of each interval that saw a batch (a trailing throttle): no timer while idle.
      buffer(intervalMs === 0 ? shared : shared.pipe(throttleTime(intervalMs, scheduler, { leading: false, trailing: true }))),
    )),
    filter((list) => list.length > 0),
    map((list): ReleaseEvent => ({ type: 'batches', at: scheduler.now(), batches: list })),
  );
  return merge(stats, batches);
}

/**
 * Frames each event as a Server-Sent Event (`event: <type>` and one `data:` line of JSON), for a
 * `text/event-stream` response; a browser reads them with `new EventSource(url)` and
 * `addEventListener(type, ...)`.
 */
export function toServerSentEvents<T extends { readonly type: string }>(): OperatorFunction<T, string> {
  return map(sseFrame);
}

/** One event as a Server-Sent Event frame: `event: <type>`, one `data:` line of JSON, a blank line. */
export function sseFrame(event: { readonly type: string }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
