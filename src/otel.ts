// `cdp-release-batcher/otel`: a batcher's and a census's figures as OpenTelemetry instruments.
// Depends on `@opentelemetry/api` alone (an optional peer of the package, needed only here): its
// calls are no-ops until the application registers an SDK, and without one nothing is instrumented.
import { createNoopMeter, metrics, type Attributes, type BatchObservableCallback, type Meter, type Observable } from '@opentelemetry/api';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ReleaseBatcher } from './ReleaseBatcher.js';
import type { RemoteObjectCensus } from './census.js';
import { CHANNELS, type BatchSettledMessage, type ReleaseSettledMessage } from './diagnostics.js';
import { RELEASE_OUTCOMES, type ReleaseOutcome } from './outcome.js';

/** The instrumentation scope's name: what `metrics.getMeter()` is asked for by default. */
export const METER_NAME = 'cdp-release-batcher';

/** Options of {@link instrumentBatcher} and {@link instrumentCensus}. */
export interface InstrumentOptions {
  /** Where the instruments are made. Default: `metrics.getMeter('cdp-release-batcher')` (the registered SDK's). */
  readonly meter?: Meter;
  /**
   * Attributes added to every observation of these instruments, e.g. `{ 'crawler.pool': 'checkout' }`
   * to tell apart two batchers of one process. Keep them few and bounded (a pool, a site, a role — never
   * a URL or a page id): every distinct set is a time series of its own in the backend.
   */
  readonly attributes?: Attributes;
}

/** Stops observing and recording; the instruments stay with the meter (OpenTelemetry cannot delete them). */
export type StopInstrumenting = () => void;

/**
 * Bucket boundaries in seconds for the duration histograms: from half a millisecond (a release answered
 * in a burst) to the default call timeout (30 s).
 */
export const DURATION_BUCKETS_S: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Views that give the instruments measured in seconds a name ending in their unit, for a Prometheus
 * exporter that does not append it (OpenTelemetry JS's does not): pass them to the SDK's
 * `MeterProvider({ views })` to scrape `cdp_release_call_duration_seconds` rather than
 * `cdp_release_call_duration`. Plain view options; nothing here needs the SDK.
 */
export const PROMETHEUS_VIEWS: readonly { readonly instrumentName: string; readonly name: string }[] = Object.freeze([
  { instrumentName: 'cdp_release.batch.duration', name: 'cdp_release.batch.duration.seconds' },
  { instrumentName: 'cdp_release.call.duration', name: 'cdp_release.call.duration.seconds' },
  { instrumentName: 'cdp_release.census.oldest_held.age', name: 'cdp_release.census.oldest_held.age.seconds' },
].map((view) => Object.freeze(view)));

const OUTCOME = 'cdp_release.outcome';

const NOOP_METER_CLASS = (createNoopMeter() as object).constructor;

/** True for the meter `@opentelemetry/api` hands out while no SDK is registered. */
function isNoopMeter(meter: Meter): boolean {
  return (meter as object).constructor === NOOP_METER_CLASS;
}

/** What an instrumenting function takes: its name, and what its subject is and must have. */
interface Subject {
  readonly what: string;
  readonly kind: string;
  readonly methods: readonly string[];
}
const BATCHER: Subject = { what: 'instrumentBatcher', kind: 'ReleaseBatcher', methods: ['targets', 'release'] };
const CENSUS: Subject = { what: 'instrumentCensus', kind: 'RemoteObjectCensus', methods: ['snapshot', 'observe'] };

/**
 * The meter and the attributes to instrument `subject` with, once it is checked to be a
 * `expected.kind`; null while no SDK is registered. Throws a `TypeError` naming the function on bad input.
 */
function meterOf(subject: unknown, expected: Subject, options: InstrumentOptions | undefined): { meter: Meter; base: Attributes } | null {
  const { what, kind, methods } = expected;
  const candidate = subject as Record<string, unknown> | null;
  if (typeof candidate !== 'object' || candidate === null || methods.some((m) => typeof candidate[m] !== 'function')) {
    throw new TypeError(`${what}: expected a ${kind}`);
  }
  // Callers from plain JavaScript can pass anything: checked as unknown values.
  const given: unknown = options;
  if (given !== undefined && (typeof given !== 'object' || given === null)) throw new TypeError(`${what}: options must be an object`);
  const meter: unknown = options?.meter ?? metrics.getMeter(METER_NAME);
  const m = meter as Partial<Meter> | null;
  if (typeof m !== 'object' || m === null || typeof m.createHistogram !== 'function' || typeof m.addBatchObservableCallback !== 'function') {
    throw new TypeError(`${what}: options.meter must be an OpenTelemetry Meter`);
  }
  const attributes: unknown = options?.attributes ?? {};
  if (typeof attributes !== 'object' || attributes === null) throw new TypeError(`${what}: options.attributes must be an object`);
  return isNoopMeter(meter as Meter) ? null : { meter: meter as Meter, base: { ...(attributes as Attributes) } };
}

/**
 * Registers a batcher's instruments on `meter` and returns the function that removes them:
 *
 * | instrument | kind | unit | attributes |
 * |---|---|---|---|
 * | `cdp_release.releases` | observable counter | `{release}` | `cdp_release.outcome` |
 * | `cdp_release.enqueued` | observable counter | `{release}` | |
 * | `cdp_release.leaked` | observable counter | `{handle}` | |
 * | `cdp_release.batches` | observable counter | `{batch}` | |
 * | `cdp_release.pending`, `cdp_release.in_flight` | observable gauge | `{release}` | |
 * | `cdp_release.watched` | observable gauge | `{handle}` | |
 * | `cdp_release.targets` | observable gauge | `{target}` | |
 * | `cdp_release.window` | observable gauge | `{call}` | |
 * | `cdp_release.batch.duration` | histogram | `s` | |
 * | `cdp_release.call.duration` | histogram | `s` | `cdp_release.outcome` |
 *
 * The counters and gauges read `batcher.stats` and `batcher.targets()` only when the SDK collects;
 * the histograms are fed from the library's diagnostics channels, so only an instrumented process
 * pays for them. With no SDK registered (the meter is the API's no-op one) nothing is registered and
 * nothing subscribes. Every observation carries `options.attributes`.
 *
 * @example
 * ```ts
 * import { instrumentBatcher } from 'cdp-release-batcher/otel';
 * const stop = instrumentBatcher(batcher); // after the SDK's MeterProvider is registered
 * ```
 */
export function instrumentBatcher(batcher: ReleaseBatcher, options?: InstrumentOptions): StopInstrumenting {
  const made = meterOf(batcher, BATCHER, options);
  if (made === null) return () => undefined;
  const { meter, base } = made;
  const byOutcome = {} as Record<ReleaseOutcome, Attributes>;
  for (const outcome of RELEASE_OUTCOMES) byOutcome[outcome] = { ...base, [OUTCOME]: outcome };

  const releases = meter.createObservableCounter('cdp_release.releases', { unit: '{release}', description: 'Releases ended, by outcome (released, gone, failed, timedOut, dropped, duplicate, invalid).' });
  const enqueued = meter.createObservableCounter('cdp_release.enqueued', { unit: '{release}', description: 'Releases handed to the batcher.' });
  const leaked = meter.createObservableCounter('cdp_release.leaked', { unit: '{handle}', description: 'Handles garbage-collected without dispose, then released.' });
  const batches = meter.createObservableCounter('cdp_release.batches', { unit: '{batch}', description: 'Batches sent.' });
  const pending = meter.createObservableGauge('cdp_release.pending', { unit: '{release}', description: 'Releases enqueued and not yet sent.' });
  const inFlight = meter.createObservableGauge('cdp_release.in_flight', { unit: '{release}', description: 'Release calls sent and not yet answered.' });
  const watched = meter.createObservableGauge('cdp_release.watched', { unit: '{handle}', description: 'Client handles watched and not yet disposed nor collected.' });
  const targets = meter.createObservableGauge('cdp_release.targets', { unit: '{target}', description: 'Targets with releases waiting or in flight.' });
  const window = meter.createObservableGauge('cdp_release.window', { unit: '{call}', description: 'The smallest in-flight window among the targets with releases outstanding.' });
  const observables: Observable[] = [releases, enqueued, leaked, batches, pending, inFlight, watched, targets, window];
  const observe: BatchObservableCallback = (result) => {
    const stats = batcher.stats;
    for (const outcome of RELEASE_OUTCOMES) result.observe(releases, stats[outcome], byOutcome[outcome]);
    result.observe(enqueued, stats.enqueued, base);
    result.observe(leaked, stats.leaked, base);
    result.observe(batches, stats.batches, base);
    result.observe(pending, stats.pending, base);
    result.observe(inFlight, stats.inFlight, base);
    result.observe(watched, stats.watched, base);
    const loads = batcher.targets();
    result.observe(targets, loads.length, base);
    if (loads.length > 0) result.observe(window, Math.min(...loads.map((load) => load.window)), base);
  };

  const advice = { explicitBucketBoundaries: [...DURATION_BUCKETS_S] };
  const batchDuration = meter.createHistogram('cdp_release.batch.duration', { unit: 's', description: 'From a batch\'s dispatch until its last call settled (time waiting for a slot included).', advice });
  const callDuration = meter.createHistogram('cdp_release.call.duration', { unit: 's', description: 'From a release call\'s send until its answer or timeout (time queued excluded), by outcome.', advice });
  const onBatch = (message: unknown): void => {
    const m = message as BatchSettledMessage;
    if (m.batcher === batcher) batchDuration.record(m.report.durationMs / 1000, base);
  };
  const onRelease = (message: unknown): void => {
    const m = message as ReleaseSettledMessage;
    if (m.batcher === batcher && m.durationMs !== null) callDuration.record(m.durationMs / 1000, byOutcome[m.outcome]);
  };
  subscribe(CHANNELS.batch, onBatch);
  subscribe(CHANNELS.release, onRelease);
  return observing(meter, observe, observables, () => {
    unsubscribe(CHANNELS.batch, onBatch);
    unsubscribe(CHANNELS.release, onRelease);
  });
}

/**
 * Registers a census's instruments on `meter` and returns the function that removes them. All are
 * read from `census.snapshot()` when the SDK collects; nothing runs between collections:
 *
 * | instrument | kind | unit | meaning |
 * |---|---|---|---|
 * | `cdp_release.census.held` | observable gauge | `{object}` | remote objects held now, over every page observed |
 * | `cdp_release.census.created`, `cdp_release.census.released` | observable counter | `{object}` | since the census began |
 * | `cdp_release.census.pages` | observable gauge | `{page}` | pages observed now |
 * | `cdp_release.census.page.held_max` | observable gauge | `{object}` | the most one page holds |
 * | `cdp_release.census.oldest_held.age` | observable gauge | `s` | age of the oldest object held on any page |
 *
 * No per-page attribute: a page's id or URL is unbounded across a crawl. The page that holds the most
 * is named in `census.snapshot().pages[0]`. With no SDK registered nothing is registered.
 *
 * @example
 * ```ts
 * const stop = instrumentCensus(census, { attributes: { 'crawler.pool': 'a' } });
 * ```
 */
export function instrumentCensus(census: RemoteObjectCensus, options?: InstrumentOptions): StopInstrumenting {
  const made = meterOf(census, CENSUS, options);
  if (made === null) return () => undefined;
  const { meter, base } = made;
  const held = meter.createObservableGauge('cdp_release.census.held', { unit: '{object}', description: 'Remote objects held now, over every page the census observes.' });
  const created = meter.createObservableCounter('cdp_release.census.created', { unit: '{object}', description: 'Remote objects created, whoever created them.' });
  const released = meter.createObservableCounter('cdp_release.census.released', { unit: '{object}', description: 'Remote objects released, whoever released them.' });
  const pages = meter.createObservableGauge('cdp_release.census.pages', { unit: '{page}', description: 'Pages observed now.' });
  const pageMax = meter.createObservableGauge('cdp_release.census.page.held_max', { unit: '{object}', description: 'The most remote objects one page holds.' });
  const oldest = meter.createObservableGauge('cdp_release.census.oldest_held.age', { unit: 's', description: 'Age of the oldest remote object held on any page.' });
  const observables: Observable[] = [held, created, released, pages, pageMax, oldest];
  const observe: BatchObservableCallback = (result) => {
    const snapshot = census.snapshot();
    result.observe(held, snapshot.held, base);
    result.observe(created, snapshot.created, base);
    result.observe(released, snapshot.released, base);
    result.observe(pages, snapshot.pages.length, base);
    let most = 0;
    let oldestMs = 0;
    for (const page of snapshot.pages) {
      most = Math.max(most, page.held);
      oldestMs = Math.max(oldestMs, page.oldestHeldMs ?? 0);
    }
    result.observe(pageMax, most, base);
    result.observe(oldest, oldestMs / 1000, base);
  };
  return observing(meter, observe, observables);
}

/** Registers `observe` for `observables`; returns the idempotent stop that removes it (and runs `also`). */
function observing(meter: Meter, observe: BatchObservableCallback, observables: Observable[], also?: () => void): StopInstrumenting {
  meter.addBatchObservableCallback(observe, observables);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    meter.removeBatchObservableCallback(observe, observables);
    also?.();
  };
}
