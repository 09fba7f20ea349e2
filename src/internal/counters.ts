import { BATCH_OUTCOMES, RELEASE_OUTCOMES, type BatchOutcome, type ReleaseOutcome } from '../outcome.js';
import type { BatchReport, ErrorSample, ReleaseErrors, ReleaseStats } from '../stats.js';
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
  readonly errors = new ErrorSamples();

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
      errors: this.errors.snapshot(),
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

/** Distinct messages kept per outcome in {@link ReleaseStats.errors}. */
export const ERROR_SAMPLES_PER_OUTCOME = 8;

/**
 * The last distinct error messages behind `failed` and `gone`, with how often each came: at most
 * {@link ERROR_SAMPLES_PER_OUTCOME} per outcome, the least recently seen forgotten first. Touched only
 * when a release ends in one of them; its snapshot is made once per change. @internal
 */
export class ErrorSamples {
  readonly #failed = new Map<string, number>();
  readonly #gone = new Map<string, number>();
  #snapshot: ReleaseErrors | null = EMPTY_ERRORS;

  note(outcome: 'failed' | 'gone', message: string): void {
    const counts = outcome === 'failed' ? this.#failed : this.#gone;
    const count = counts.get(message);
    if (count !== undefined) counts.delete(message); // re-inserted: the most recent last
    else if (counts.size === ERROR_SAMPLES_PER_OUTCOME) counts.delete(counts.keys().next().value as string);
    counts.set(message, (count ?? 0) + 1);
    this.#snapshot = null;
  }

  snapshot(): ReleaseErrors {
    return (this.#snapshot ??= Object.freeze({ failed: samplesOf(this.#failed), gone: samplesOf(this.#gone) }));
  }
}

const EMPTY_ERRORS: ReleaseErrors = Object.freeze({ failed: Object.freeze([]), gone: Object.freeze([]) });

function samplesOf(counts: ReadonlyMap<string, number>): readonly ErrorSample[] {
  const samples: ErrorSample[] = [];
  for (const [message, count] of counts) samples.push(Object.freeze({ message, count }));
  return Object.freeze(samples);
}
