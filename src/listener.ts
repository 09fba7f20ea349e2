import type { ReleaseOutcome } from './outcome.js';
import type { ReleaseRequest } from './request.js';

/**
 * Callbacks {@link batchReleases} makes as requests move through it. They run synchronously, must
 * not throw, and must not assume any order between different requests' callbacks (a settled call's
 * slot is refilled — later requests `sent` — before its own `settled`).
 *
 * @example
 * ```ts
 * let inFlight = 0;
 * releases.pipe(batchReleases({ listener: { sent: () => inFlight++, settled: (_r, _o, wasSent) => { if (wasSent) inFlight--; } } })).subscribe();
 * ```
 */
export interface ReleaseListener<R extends ReleaseRequest = ReleaseRequest> {
  /** A batch of `size` requests was cut from the source and handed to the dispatcher. */
  batch?(size: number): void;
  /** `request` is being sent to its target now (it leaves `pending`, enters `inFlight`). */
  sent?(request: R): void;
  /**
   * `request` ended; called exactly once per request given to the pipeline. `wasSent`: it had been
   * sent (it leaves `inFlight`), else it ends unsent (it leaves `pending`) — `dropped`, `invalid`, or
   * `timedOut` for the backlog of a target presumed stuck.
   */
  settled?(request: R, outcome: ReleaseOutcome, wasSent: boolean): void;
}
