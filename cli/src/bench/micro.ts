import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { CHANNELS, ReleaseBatcher, type CdpTarget } from 'cdp-release-batcher';
import { instrumentBatcher, METER_NAME } from 'cdp-release-batcher/otel';
import type { BatcherClass } from './baseline.js';
import { literalCard } from './anchors.js';
import { exposeGc, heapUsedAfterGc } from './gc.js';

/** The library's own costs, with Chrome taken out (a target whose `send` resolves at once). */
export interface MicroResults {
  /** CPU time per release, enqueue → every release settled, median over rounds (ns). */
  cpuNsPerRelease: {
    batcher: Record<string, number>;
    literalCard: Record<string, number>;
    /** batcher ÷ literal card at the smaller size (goal ≤ 1.0). */
    ratioToLiteralCard: number;
    /** batcher at the larger size ÷ at the smaller (goal ≤ 1.3: no quadratic queue). */
    growth: number;
    /** A baseline build's batcher, measured in the same rounds (with `--baseline`). */
    baseline?: Record<string, number>;
    /** batcher ÷ baseline build: the geometric mean, over the two sizes, of the median of the rounds' paired ratios. */
    ratioToBaseline?: number;
  };
  /**
   * What observing costs, at the smaller size, in the same rounds: CPU per release with nobody
   * subscribed (`cpuNsPerRelease.batcher`), with one subscriber on the release and batch channels, and
   * with `instrumentBatcher` under a registered OpenTelemetry SDK (a Prometheus exporter's reader).
   */
  observed: { channelSubscriber: number; otelSdk: number; /** Medians of the rounds' paired ratios to nobody subscribed. */ ratioChannel: number; ratioOtel: number };
  /** Heap bytes held per pending release, with `pending` releases waiting on a stalled target. */
  heapBytesPerPendingRelease: number;
  /** The same for the baseline build (with `--baseline`). */
  heapBytesPerPendingReleaseBaseline?: number;
  pending: number;
  /** One release on an idle batcher, enqueue → settled, median (µs), and whether every one settled
   *  before the next macrotask (no timer delay anywhere on the way). */
  loneRelease: { medianMicros: number; settledBeforeNextMacrotask: boolean };
  /** CPU used by the process while a used batcher sits idle, per second of wall time (µs/s), and the
   *  timers it holds then. */
  idle: { cpuMicrosPerSecond: number; baselineCpuMicrosPerSecond: number; activeTimers: number };
}

const noopSend = (): Promise<object> => Promise.resolve({});
const noop: CdpTarget = { send: noopSend };

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `id-${i}`);

async function viaBatcher(list: readonly string[], Batcher: BatcherClass = ReleaseBatcher): Promise<void> {
  await releaseAll(new Batcher(), list);
}

async function releaseAll(batcher: InstanceType<BatcherClass>, list: readonly string[]): Promise<void> {
  for (const id of list) batcher.release(noop, id);
  await batcher.close();
  if (batcher.stats.released !== list.length) throw new Error(`no-op transport: released ${batcher.stats.released} of ${list.length}`);
}

/** {@link viaBatcher} with this build's batcher, observed by `observe` while it releases. */
async function viaObservedBatcher(list: readonly string[], observe: (batcher: ReleaseBatcher) => () => void): Promise<void> {
  const batcher = new ReleaseBatcher();
  const stop = observe(batcher);
  try {
    await releaseAll(batcher, list);
  } finally {
    stop();
  }
}

/** One subscriber on the release and batch channels, doing as little as a subscriber can. */
function channelSubscriber(): () => void {
  let seen = 0;
  const onMessage = (): void => {
    seen++;
  };
  subscribe(CHANNELS.release, onMessage);
  subscribe(CHANNELS.batch, onMessage);
  return () => {
    unsubscribe(CHANNELS.release, onMessage);
    unsubscribe(CHANNELS.batch, onMessage);
    if (seen === 0) throw new Error('the channel subscriber saw no message: nothing was measured');
  };
}

const viaLiteralCard = (list: readonly string[]): Promise<void> => literalCard(list, noopSend);

async function cpuNsPerRelease(run: (list: readonly string[]) => Promise<void>, list: readonly string[]): Promise<number> {
  exposeGc()(); // every run starts from a collected heap: the last run's garbage is not this one's cost
  const start = process.cpuUsage();
  await run(list);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / list.length;
}

async function heapPerPending(pending: number, Batcher: BatcherClass = ReleaseBatcher): Promise<number> {
  const stalled: CdpTarget = { send: () => new Promise<never>(() => undefined) };
  const list = ids(pending); // the caller's strings: not the library's cost
  const before = await heapUsedAfterGc(1);
  const batcher = new Batcher();
  for (const id of list) batcher.release(stalled, id);
  const after = await heapUsedAfterGc(1); // its turn of the event loop lets the flush window cut every batch
  if (batcher.stats.pending + batcher.stats.inFlight !== pending) throw new Error(`expected ${pending} outstanding, got ${batcher.stats.pending + batcher.stats.inFlight}`);
  batcher.forget(stalled); // settles them all (dropped / gone) without waiting for the timeout
  await batcher.close();
  return (after - before) / pending;
}

async function loneRelease(rounds: number): Promise<{ medianMicros: number; settledBeforeNextMacrotask: boolean }> {
  const batcher = new ReleaseBatcher();
  const times: number[] = [];
  let allBeforeMacrotask = true;
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setImmediate(r)); // idle again
    const macrotask = { ran: false };
    const immediate = setImmediate(() => {
      macrotask.ran = true;
    });
    const t0 = process.hrtime.bigint();
    batcher.release(noop, `lone-${i}`);
    await batcher.flush();
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (macrotask.ran) allBeforeMacrotask = false;
    clearImmediate(immediate);
  }
  await batcher.close();
  return { medianMicros: median(times), settledBeforeNextMacrotask: allBeforeMacrotask };
}

/** CPU the process uses over `ms` of sleeping, per second (µs/s). */
async function sleepingCpu(ms: number): Promise<number> {
  const start = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, ms));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function idleCost(ms: number): Promise<MicroResults['idle']> {
  // Let the earlier measures' garbage go first: V8's background sweeping is not the batcher's.
  exposeGc()();
  await new Promise((r) => setTimeout(r, 200));
  const baselineCpuMicrosPerSecond = await sleepingCpu(ms); // the process with no batcher
  const batcher = new ReleaseBatcher();
  for (const id of ids(1000)) batcher.release(noop, id);
  await batcher.flush();
  const activeTimers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  exposeGc()(); // the same footing as the baseline: no garbage of ours left to sweep
  await new Promise((r) => setTimeout(r, 200));
  // Sleep in one timer of our own, counted after the batcher's timers were.
  const cpuMicrosPerSecond = await sleepingCpu(ms);
  await batcher.close();
  return { cpuMicrosPerSecond, baselineCpuMicrosPerSecond, activeTimers };
}

/**
 * Runs every measure without Chrome. `sizes` are the two backlog sizes (default 200,000 and
 * 1,000,000); the batcher and the literal card alternate within each round.
 */
export async function runMicro(options: { rounds: number; sizes?: readonly [number, number]; pending?: number; idleMs?: number; baseline?: BatcherClass | null }): Promise<MicroResults> {
  const Baseline = options.baseline ?? null;
  const [small, large] = options.sizes ?? [200_000, 1_000_000];
  const pending = options.pending ?? 1_000_000;
  // Idle first, before the big runs leave garbage for V8's background threads to sweep.
  const idle = await idleCost(options.idleMs ?? 1000);
  const lists = new Map([small, large].map((n) => [n, ids(n)]));
  await viaBatcher(ids(20_000)); // warm-up, both paths
  await viaLiteralCard(ids(20_000));
  if (Baseline !== null) await viaBatcher(ids(20_000), Baseline);
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const meter = provider.getMeter(METER_NAME);
  const subscribed = new Map<number, number[]>();
  const instrumented = new Map<number, number[]>();
  const ours = new Map<number, number[]>();
  const card = new Map<number, number[]>();
  const base = new Map<number, number[]>();
  const measure = async (into: Map<number, number[]>, n: number, run: (list: readonly string[]) => Promise<void>, list: readonly string[]): Promise<void> => {
    into.set(n, [...(into.get(n) ?? []), await cpuNsPerRelease(run, list)]);
  };
  for (let round = 0; round < options.rounds; round++) {
    for (const [n, list] of lists) {
      const runs = [
        () => measure(ours, n, (l) => viaBatcher(l), list),
        () => measure(card, n, viaLiteralCard, list),
        ...(Baseline === null ? [] : [() => measure(base, n, (l) => viaBatcher(l, Baseline), list)]),
        ...(n !== small ? [] : [
          () => measure(subscribed, n, (l) => viaObservedBatcher(l, channelSubscriber), list),
          () => measure(instrumented, n, (l) => viaObservedBatcher(l, (b) => instrumentBatcher(b, { meter })), list),
        ]),
      ];
      // Alternate the order each round, so neither build always runs on the other's leftovers.
      if (round % 2 === 1) runs.reverse();
      for (const run of runs) await run();
    }
  }
  lists.clear();
  await provider.shutdown();
  const pick = (m: Map<number, number[]>): Record<string, number> => Object.fromEntries([...m].map(([n, v]) => [String(n), median(v)]));
  const batcher = pick(ours);
  const literal = pick(card);
  const baseline = Baseline === null ? null : pick(base);
  // Ratios of runs measured side by side, round by round (paired), then their median: a round the
  // machine was busy in slows both of its runs and cancels out, which a ratio of medians does not.
  const paired = (a: Map<number, number[]>, b: Map<number, number[]>, n: number): number => {
    const xs = a.get(n) ?? [];
    const ys = b.get(n) ?? [];
    return median(xs.map((x, i) => x / (ys[i] ?? Number.NaN)));
  };
  return {
    observed: {
      channelSubscriber: pick(subscribed)[String(small)] ?? Number.NaN,
      otelSdk: pick(instrumented)[String(small)] ?? Number.NaN,
      ratioChannel: paired(subscribed, ours, small),
      ratioOtel: paired(instrumented, ours, small),
    },
    cpuNsPerRelease: {
      batcher,
      literalCard: literal,
      ratioToLiteralCard: (batcher[String(small)] ?? Number.NaN) / (literal[String(small)] ?? Number.NaN),
      growth: (batcher[String(large)] ?? Number.NaN) / (batcher[String(small)] ?? Number.NaN),
      ...(baseline === null ? {} : {
        baseline,
        ratioToBaseline: Math.sqrt(paired(ours, base, small) * paired(ours, base, large)),
      }),
    },
    heapBytesPerPendingRelease: await heapPerPending(pending),
    ...(Baseline === null ? {} : { heapBytesPerPendingReleaseBaseline: await heapPerPending(pending, Baseline) }),
    pending,
    loneRelease: await loneRelease(200),
    idle,
  };
}
