/** One settled batch as the dashboard receives it: when its report arrived (ms), its size and duration. */
export interface BatchPoint {
  readonly at: number;
  readonly size: number;
  readonly durationMs: number;
}

/** The batch chart's series, one point per second that had batches settle in it. */
export interface BatchSeries {
  /** The second (since the start) of each point, ascending. */
  readonly seconds: number[];
  /** Median and 90th-percentile batch duration (ms), nearest rank. */
  readonly p50: number[];
  readonly p90: number[];
  /** Releases settled by the batches of that second (the sum of their sizes). */
  readonly released: number[];
}

/**
 * Per-second figures of the batches: readable however many batches a crawl settles (10,000 batches
 * over a minute are 60 points, not a solid band), and in time order whatever order batches settle
 * in. Self-contained (no imports, no closures): the dashboard page runs its source as it is.
 */
export function batchSeries(points: readonly BatchPoint[]): BatchSeries {
  const bySecond = new Map<number, { durations: number[]; released: number }>();
  for (const { at, size, durationMs } of points) {
    const second = Math.floor(at / 1000);
    let bucket = bySecond.get(second);
    if (bucket === undefined) {
      bucket = { durations: [], released: 0 };
      bySecond.set(second, bucket);
    }
    bucket.durations.push(durationMs);
    bucket.released += size;
  }
  const series: BatchSeries = { seconds: [], p50: [], p90: [], released: [] };
  for (const second of [...bySecond.keys()].sort((a, b) => a - b)) {
    const { durations, released } = bySecond.get(second) as { durations: number[]; released: number };
    durations.sort((a, b) => a - b);
    const rank = (q: number): number => durations[Math.max(0, Math.ceil(q * durations.length) - 1)] as number;
    series.seconds.push(second);
    series.p50.push(rank(0.5));
    series.p90.push(rank(0.9));
    series.released.push(released);
  }
  return series;
}
