/**
 * A snapshot of a batcher's accounting. Every field is a count since the batcher was created.
 *
 * Invariant, at every emission of `stats$` and at every moment:
 * `enqueued = released + gone + failed + timedOut + dropped + duplicate + invalid + pending + inFlight`.
 *
 * @example
 * ```ts
 * batcher.stats$.subscribe((s) => console.log(`${s.released}/${s.enqueued} released, ${s.inFlight} in flight`));
 * ```
 */
export interface ReleaseStats {
  /** Every `release()` / `releaseGroup()` call, invalid and duplicate ones included. */
  readonly enqueued: number;
  /** Chrome answered success. */
  readonly released: number;
  /** Chrome or the client said the object, context, session or target no longer exists. */
  readonly gone: number;
  /** Any other error. */
  readonly failed: number;
  /** No answer within `timeoutMs`. */
  readonly timedOut: number;
  /** Never sent: target forgotten or dead, batcher closed. */
  readonly dropped: number;
  /** The same (target, objectId) was already pending or in flight. */
  readonly duplicate: number;
  /** objectId / objectGroup not a non-empty string, or a target without `send()`. */
  readonly invalid: number;
  /** Handles collected by GC without dispose (with `trackLeaks`). */
  readonly leaked: number;
  /** Enqueued, not yet sent. */
  readonly pending: number;
  /** Sent, not yet settled. */
  readonly inFlight: number;
  /** Batches sent. */
  readonly batches: number;
}

/**
 * One settled batch: how many calls it held, how each ended, and how long it took from dispatch to
 * the last call settling. Emitted by `batches$` (and by the `batchReleases` operator) once per batch,
 * in the order batches settle.
 */
export interface BatchReport {
  /** 1-based sequence number of the batch, in dispatch order. */
  readonly index: number;
  /** Number of releases in the batch (never 0). */
  readonly size: number;
  readonly released: number;
  readonly gone: number;
  readonly failed: number;
  readonly timedOut: number;
  /** Calls of this batch that were never sent (target forgotten or dead, pipeline torn down). */
  readonly dropped: number;
  /** Calls of this batch that were not valid requests. */
  readonly invalid: number;
  /** Scheduler time from the batch's dispatch until its last call settled, in milliseconds. */
  readonly durationMs: number;
}

/** The mutable counters behind {@link ReleaseStats}; the batcher owns one. */
export class ReleaseCounters implements ReleaseStats {
  enqueued = 0;
  released = 0;
  gone = 0;
  failed = 0;
  timedOut = 0;
  dropped = 0;
  duplicate = 0;
  invalid = 0;
  leaked = 0;
  pending = 0;
  inFlight = 0;
  batches = 0;

  snapshot(): ReleaseStats {
    return Object.freeze({
      enqueued: this.enqueued,
      released: this.released,
      gone: this.gone,
      failed: this.failed,
      timedOut: this.timedOut,
      dropped: this.dropped,
      duplicate: this.duplicate,
      invalid: this.invalid,
      leaked: this.leaked,
      pending: this.pending,
      inFlight: this.inFlight,
      batches: this.batches,
    });
  }
}

/** True when the accounting invariant holds for `s`. */
export function statsBalance(s: ReleaseStats): boolean {
  return s.enqueued === s.released + s.gone + s.failed + s.timedOut + s.dropped + s.duplicate + s.invalid + s.pending + s.inFlight;
}
