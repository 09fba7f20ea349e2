import { batchSeries, type BatchPoint } from '../src/demo/batchSeries';

describe('batchSeries: the dashboard\'s batch chart, per second', () => {
  it('10,000 batches over 20 s are 20 points, in time order whatever order the batches settled in', () => {
    const points: BatchPoint[] = [];
    for (let i = 0; i < 10_000; i++) {
      const at = 19_999 - ((i * 7_919) % 20_000); // every ms of 20 s at most once, out of order
      points.push({ at, size: 64, durationMs: (at % 100) + 1 });
    }
    const series = batchSeries(points);
    expect(series.seconds).toEqual(Array.from({ length: 20 }, (_, s) => s));
    expect(series.released.reduce((a, b) => a + b, 0)).toBe(640_000);
    for (let s = 0; s < 20; s++) {
      expect(series.p50[s]).toBeGreaterThanOrEqual(45);
      expect(series.p50[s]).toBeLessThanOrEqual(56);
      expect(series.p90[s]).toBeGreaterThanOrEqual(88);
      expect(series.p90[s]).toBeLessThanOrEqual(92);
    }
  });

  it('takes the nearest-rank percentiles of each second, and its releases as the sum of batch sizes', () => {
    const durations = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const series = batchSeries([...durations.map((d, i) => ({ at: 2_000 + i, size: i + 1, durationMs: d })), { at: 500, size: 3, durationMs: 7 }]);
    expect(series).toEqual({ seconds: [0, 2], p50: [7, 50], p90: [7, 90], released: [3, 55] });
    expect(batchSeries([])).toEqual({ seconds: [], p50: [], p90: [], released: [] });
  });

  it('runs from its own source, as the dashboard page does', () => {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the function's own compiled source
    const fromSource = new Function(`return (${batchSeries.toString()});`)() as typeof batchSeries;
    expect(fromSource([{ at: 1_500, size: 4, durationMs: 12 }])).toEqual({ seconds: [1], p50: [12], p90: [12], released: [4] });
  });
});
