import type { BatchOutcome, OutcomeCounts } from './outcome.js';
import { RELEASE_OUTCOMES } from './outcome.js';
import type { CdpTarget } from './target.js';

/**
 * A snapshot of a batcher's accounting. Every field is a count since the batcher was created: one per
 * {@link ReleaseOutcome} (`released`, `gone`, `failed`, `timedOut`, `dropped`, `duplicate`,
 * `invalid` — see there for what each means), plus the fields below.
 *
 * Invariant, at every emission of `stats$` and at every moment:
 * `enqueued = released + gone + failed + timedOut + dropped + duplicate + invalid + pending + inFlight`.
 *
 * @example
 * ```ts
 * batcher.stats$.subscribe((s) => console.log(`${s.released}/${s.enqueued} released, ${s.inFlight} in flight`));
 * ```
 */
export interface ReleaseStats extends OutcomeCounts {
  /** Every `release()` / `releaseGroup()` call, invalid and duplicate ones included. */
  readonly enqueued: number;
  /** Handles collected by GC without dispose (with `trackLeaks`). */
  readonly leaked: number;
  /** Enqueued, not yet sent. */
  readonly pending: number;
  /** Sent, not yet settled. */
  readonly inFlight: number;
  /** Batches sent. */
  readonly batches: number;
  /**
   * Client handles passed to `watch()` (or adopted with `trackLeaks`) and not yet disposed, nor
   * collected: the leak net's live view. Not part of the invariant (they are not releases yet). With
   * playwright-core, whose connection keeps every handle until it is disposed, this is how a leak
   * shows — dropped handles are never collected, so it only grows.
   */
  readonly watched: number;
  /** {@link watched}, per page (its address when the snapshot was taken), most first. */
  readonly watchedByPage: readonly WatchedPage[];
  /**
   * What lies behind `failed` and `gone`: the last distinct error messages (Chrome's, the client's, or
   * the library's reason for one settled unsent), with how many releases ended with each — at most
   * eight per outcome, the least recently seen forgotten first. Not part of the invariant.
   */
  readonly errors: ReleaseErrors;
}

/** {@link ReleaseStats.errors}: recent distinct messages per outcome, oldest first. */
export interface ReleaseErrors {
  readonly failed: readonly ErrorSample[];
  readonly gone: readonly ErrorSample[];
}

/** One distinct error message, and how many releases ended with it while it was kept. */
export interface ErrorSample {
  readonly message: string;
  readonly count: number;
}

/**
 * One target with releases waiting for a slot or in flight, as {@link ReleaseBatcher.targets} lists
 * it: a per-target breakdown read on demand (for a gauge at collection time, a debugging session).
 */
export interface TargetLoad {
  readonly target: CdpTarget;
  /** Releases waiting for a slot. */
  readonly waiting: number;
  /** Release calls sent and not yet answered. */
  readonly inFlight: number;
  /** The most calls it may have in flight now: fixed, or the adaptive window's current level. */
  readonly window: number;
}

/** One page's count of watched handles not yet disposed. */
export interface WatchedPage {
  /** Tells pages apart (two tabs on one site too): the same page keeps its number while it has watched handles. */
  readonly page: number;
  /** The page's address now (`''` when it cannot be read, or the handle's page could not be told). */
  readonly url: string;
  /** Watched handles of that page not yet disposed. */
  readonly watched: number;
}

/**
 * One settled batch: how many calls it held, how each ended (one count per {@link BatchOutcome}:
 * `dropped` are calls never sent — target forgotten or dead, pipeline torn down; `invalid` are
 * requests that were not valid), and how long it took from dispatch to the last call settling.
 * Emitted by `batches$` (and by the `batchReleases` operator) once per batch, in the order batches
 * settle.
 */
export interface BatchReport extends OutcomeCounts<BatchOutcome> {
  /** 1-based sequence number of the batch, in dispatch order. */
  readonly index: number;
  /** Number of releases in the batch (never 0). */
  readonly size: number;
  /** Scheduler time from the batch's dispatch until its last call settled, in milliseconds. */
  readonly durationMs: number;
}

/** True when the accounting invariant holds for `s`. */
export function statsBalance(s: ReleaseStats): boolean {
  let ended = 0;
  for (const outcome of RELEASE_OUTCOMES) ended += s[outcome];
  return s.enqueued === ended + s.pending + s.inFlight;
}
