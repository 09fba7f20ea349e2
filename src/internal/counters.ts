import { BATCH_OUTCOMES, RELEASE_OUTCOMES, type BatchOutcome, type ReleaseOutcome } from '../outcome.js';
import type { BatchReport, ReleaseStats } from '../stats.js';
import { WatchedHandles } from './watched.js';

/** A count of zero for every outcome of `outcomes`. */
function zeroCounts<O extends ReleaseOutcome>(outcomes: readonly O[]): Record<O, number> {
  const counts = {} as Record<O, number>;
  for (const outcome of outcomes) counts[outcome] = 0;
  return counts;
}

/** The mutable counters behind {@link ReleaseStats}; a batcher owns one. @internal */
export class ReleaseCounters {
  readonly outcomes = zeroCounts(RELEASE_OUTCOMES);
  enqueued = 0;
  leaked = 0;
  pending = 0;
  inFlight = 0;
  batches = 0;
  readonly watched = new WatchedHandles();

  /** A frozen copy, in the field order of {@link ReleaseStats}. */
  snapshot(): ReleaseStats {
    return Object.freeze({
      enqueued: this.enqueued,
      ...this.outcomes,
      leaked: this.leaked,
      pending: this.pending,
      inFlight: this.inFlight,
      batches: this.batches,
      watched: this.watched.total,
      watchedByPage: this.watched.byPage(),
    });
  }
}

/** A batch still open: counts its calls' outcomes until the last one settles. @internal */
export class OpenBatch {
  readonly #outcomes = zeroCounts(BATCH_OUTCOMES);
  #remaining: number;

  constructor(
    readonly index: number,
    readonly size: number,
    readonly startedAt: number,
  ) {
    this.#remaining = size;
  }

  /** Counts one call's outcome; true when it was the batch's last. */
  count(outcome: BatchOutcome): boolean {
    this.#outcomes[outcome]++;
    return --this.#remaining === 0;
  }

  report(now: number): BatchReport {
    return { index: this.index, size: this.size, ...this.#outcomes, durationMs: now - this.startedAt };
  }
}
