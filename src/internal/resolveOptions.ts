import { asapScheduler, type SchedulerLike } from 'rxjs';
import {
  ADAPTIVE_MIN_IN_FLIGHT,
  ADAPTIVE_START_IN_FLIGHT_CRI,
  DEFAULT_MAX_BATCH,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_TIMEOUT_MS,
  type BatchOptions,
  type ReleaseBatcherOptions,
} from '../options.js';

/**
 * How many calls a target may have outstanding: a fixed number (`maxInFlight` given), or a window
 * that adapts to measured throughput between `min` and `max`, starting at `startCri` over
 * chrome-remote-interface and at `max` over any other client.
 * @internal
 */
export type WindowPolicy =
  | { readonly kind: 'fixed'; readonly size: number }
  | { readonly kind: 'adaptive'; readonly min: number; readonly max: number; readonly startCri: number };

/** Batch options, validated, with every default filled in. Made once per pipeline. @internal */
export interface ResolvedBatchOptions {
  readonly maxBatch: number;
  readonly window: WindowPolicy;
  readonly timeoutMs: number;
  readonly scheduler: SchedulerLike;
  /**
   * Milliseconds, for measuring a call's latency: `performance.now()` under the default scheduler,
   * the scheduler's own `now()` when one is given (a `TestScheduler`'s virtual time).
   */
  readonly clock: () => number;
}

/** {@link ReleaseBatcherOptions}, validated. @internal */
export interface ResolvedBatcherOptions extends ResolvedBatchOptions {
  readonly trackLeaks: boolean;
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be an integer >= 1, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}

/** The options object as given, checked to be one: callers from plain JavaScript can pass anything. */
function optionsObject(input: unknown): Record<string, unknown> {
  const given: unknown = input ?? {};
  if (typeof given !== 'object' || given === null) {
    throw new RangeError(`options must be an object, got ${describe(given)}`);
  }
  return given as Record<string, unknown>;
}

/** Validates batch options; throws a `RangeError` naming the first bad one. @internal */
export function resolveBatchOptions(input: BatchOptions | undefined): ResolvedBatchOptions {
  const options = optionsObject(input);
  const maxBatch = positiveInteger('maxBatch', options.maxBatch, DEFAULT_MAX_BATCH);
  const window: WindowPolicy = options.maxInFlight === undefined
    ? { kind: 'adaptive', min: ADAPTIVE_MIN_IN_FLIGHT, max: DEFAULT_MAX_IN_FLIGHT, startCri: ADAPTIVE_START_IN_FLIGHT_CRI }
    : { kind: 'fixed', size: positiveInteger('maxInFlight', options.maxInFlight, DEFAULT_MAX_IN_FLIGHT) };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a finite number > 0, got ${describe(timeoutMs)}`);
  }
  const scheduler: unknown = options.scheduler === undefined ? asapScheduler : options.scheduler;
  const candidate = scheduler as Partial<SchedulerLike> | null;
  if (typeof scheduler !== 'object' || candidate === null || typeof candidate.schedule !== 'function' || typeof candidate.now !== 'function') {
    throw new RangeError(`scheduler must be an RxJS SchedulerLike, got ${describe(scheduler)}`);
  }
  const given = scheduler as SchedulerLike;
  const clock = options.scheduler === undefined ? () => performance.now() : () => given.now();
  return { maxBatch, window, timeoutMs, scheduler: given, clock };
}

/** Validates a batcher's options (the batch options and `trackLeaks`); throws a `RangeError`. @internal */
export function resolveBatcherOptions(input: ReleaseBatcherOptions | undefined): ResolvedBatcherOptions {
  const resolved = resolveBatchOptions(input);
  const trackLeaks = optionsObject(input).trackLeaks ?? false;
  if (typeof trackLeaks !== 'boolean') throw new RangeError(`trackLeaks must be a boolean, got ${typeof trackLeaks}`);
  return { ...resolved, trackLeaks };
}
