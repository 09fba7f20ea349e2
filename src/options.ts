import type { SchedulerLike } from 'rxjs';

/** Releases per batch by default (`maxBatch`). */
export const DEFAULT_MAX_BATCH = 64;

/**
 * Most release calls outstanding per target when `maxInFlight` is not given, fixed. Releases go on
 * the client's own wire where the library can reach it (chrome-remote-interface, puppeteer-core), so
 * no client's cost per answer grows with them, and no level below this measured faster. Only a
 * chrome-remote-interface client whose wire is not reachable (its releases then enter its callback
 * table, which it enumerates on every answer) gets a window that adapts between
 * {@link ADAPTIVE_MIN_IN_FLIGHT} and this cap, starting at {@link ADAPTIVE_START_IN_FLIGHT_CRI}. The
 * cap also bounds what a navigation can catch in flight: the releases still waiting when a page's
 * context goes are settled without a message. docs/BENCHMARKS.md has the figures.
 */
export const DEFAULT_MAX_IN_FLIGHT = 1024;

/**
 * Where an adaptive window starts over chrome-remote-interface (its best fixed window: the client
 * enumerates every outstanding command on each answer, so more in flight costs it more).
 */
export const ADAPTIVE_START_IN_FLIGHT_CRI = 256;

/** The smallest window the adaptation goes down to: one full batch. */
export const ADAPTIVE_MIN_IN_FLIGHT = 64;

/** Per call, as chromey's `request_timeout` and puppeteer's `protocolTimeout`. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Options of the {@link batchReleases} operator and of {@link ReleaseBatcher}. */
export interface BatchOptions {
  /** Releases per batch (the `bufferCount` of the pipeline); an integer >= 1. Default 64. */
  readonly maxBatch?: number;
  /**
   * Most CDP calls outstanding per target; an integer >= 1. Given, it is a fixed window. Omitted,
   * {@link DEFAULT_MAX_IN_FLIGHT} (1024): the measured best for every client whose releases go on its
   * own wire (see {@link DEFAULT_MAX_IN_FLIGHT} for the one exception, which adapts).
   */
  readonly maxInFlight?: number;
  /**
   * Per call: past it the call counts as `timedOut` and frees its slot. The target is then presumed
   * stuck: its calls still waiting for a slot are settled `timedOut` at once, unsent, so `flush()`
   * never waits more than about `timeoutMs` on a target that stopped answering, whatever its backlog.
   * Later releases to it are sent as usual. Finite, > 0. Default 30 000.
   */
  readonly timeoutMs?: number;
  /**
   * Scheduler of the flush window (delay 0) and of the call timeouts (delay `timeoutMs`).
   * Default `asapScheduler`: a partial batch goes out at the end of the current microtask checkpoint.
   * Tests pass a `TestScheduler`.
   */
  readonly scheduler?: SchedulerLike;
}

/** Options of {@link ReleaseBatcher}. Invalid values throw a `RangeError` naming the option. */
export interface ReleaseBatcherOptions extends BatchOptions {
  /**
   * Release handles that are garbage-collected without `dispose()`, and count them in `leaked`.
   * Off by default: it registers every adopted handle with a `FinalizationRegistry` (a few hundred
   * nanoseconds and ~100 bytes per handle, plus GC work), and a collected handle is released only
   * when the GC gets to it — late, but never forgotten.
   */
  readonly trackLeaks?: boolean;
}
