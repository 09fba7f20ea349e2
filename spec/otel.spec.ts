import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { hasSubscribers } from 'node:diagnostics_channel';
import { TestScheduler } from 'rxjs/testing';
import { CHANNELS } from '../src/diagnostics';
import { instrumentBatcher, instrumentCensus, METER_NAME } from '../src/otel';
import { ReleaseBatcher } from '../src/ReleaseBatcher';
import { RemoteObjectCensus } from '../src/census';
import { createTestTarget } from '../src/testing/testTarget';

/** A reader that collects when asked: the SDK's own collection path, no exporter. */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  /** Every metric collected now, by name. */
  async metricsNow(): Promise<Map<string, MetricData>> {
    const { resourceMetrics, errors } = await this.collect();
    expect(errors).toEqual([]);
    const byName = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) byName.set(m.descriptor.name, m);
    return byName;
  }
}

function points(m: MetricData | undefined): { attributes: Record<string, unknown>; value: unknown }[] {
  return (m?.dataPoints ?? []).map((p: DataPoint<unknown>) => ({ attributes: p.attributes, value: p.value }));
}

describe('cdp-release-batcher/otel', () => {
  let provider: MeterProvider;
  let reader: OnDemandReader;
  beforeEach(() => {
    reader = new OnDemandReader();
    provider = new MeterProvider({ readers: [reader] });
  });
  afterEach(async () => {
    await provider.shutdown();
  });

  it('registers the batcher\'s instruments with semantic-convention names and units, read from its stats', async () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const batcher = new ReleaseBatcher({ scheduler });
    const stop = instrumentBatcher(batcher, { meter: provider.getMeter(METER_NAME), attributes: { 'crawler.pool': 'p1' } });
    scheduler.run(() => {
      const target = createTestTarget(scheduler, { latency: 3, reply: (_m, p) => ((p as { objectId?: string }).objectId?.startsWith('g') === true ? 'gone' : 'released') });
      for (const id of ['a', 'b', 'g1']) batcher.release(target, id);
      batcher.release(target, 'a'); // duplicate
      scheduler.flush();
    });
    const m = await reader.metricsNow();
    const pool = { 'crawler.pool': 'p1' };
    expect(m.get('cdp_release.releases')?.descriptor).toMatchObject({ unit: '{release}' });
    expect(points(m.get('cdp_release.releases'))).toEqual(expect.arrayContaining([
      { attributes: { ...pool, 'cdp_release.outcome': 'released' }, value: 2 },
      { attributes: { ...pool, 'cdp_release.outcome': 'gone' }, value: 1 },
      { attributes: { ...pool, 'cdp_release.outcome': 'duplicate' }, value: 1 },
      { attributes: { ...pool, 'cdp_release.outcome': 'failed' }, value: 0 },
    ]));
    expect(points(m.get('cdp_release.enqueued'))).toEqual([{ attributes: pool, value: 4 }]);
    expect(points(m.get('cdp_release.pending'))).toEqual([{ attributes: pool, value: 0 }]);
    expect(points(m.get('cdp_release.in_flight'))).toEqual([{ attributes: pool, value: 0 }]);
    expect(points(m.get('cdp_release.watched'))).toEqual([{ attributes: pool, value: 0 }]);
    expect(points(m.get('cdp_release.batches'))).toEqual([{ attributes: pool, value: 1 }]);
    expect(points(m.get('cdp_release.targets'))).toEqual([{ attributes: pool, value: 0 }]);
    // three calls, each sent → answered in 3 ms of virtual time; one batch
    const calls = m.get('cdp_release.call.duration');
    expect(calls?.descriptor).toMatchObject({ unit: 's' });
    const byOutcome = Object.fromEntries((calls?.dataPoints ?? []).map((p) => [String(p.attributes['cdp_release.outcome']), p.value as Histogram]));
    expect(byOutcome['released']).toMatchObject({ count: 2, sum: 0.006 });
    expect(byOutcome['gone']).toMatchObject({ count: 1, sum: 0.003 });
    expect((m.get('cdp_release.batch.duration')?.dataPoints[0]?.value as Histogram | undefined)?.count).toBe(1);
    stop();
  });

  it('reads the backlog, the targets and their window at collection time', async () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const batcher = new ReleaseBatcher({ scheduler, maxInFlight: 2 });
    const stop = instrumentBatcher(batcher, { meter: provider.getMeter(METER_NAME) });
    const target = createTestTarget(scheduler, { reply: () => 'never' });
    for (const id of ['a', 'b', 'c', 'd', 'e']) batcher.release(target, id);
    scheduler.flush(); // cut and sent: 2 in flight, 3 waiting for a slot (sent: pending counts down)
    const m = await reader.metricsNow();
    expect(points(m.get('cdp_release.in_flight'))).toEqual([{ attributes: {}, value: 2 }]);
    expect(points(m.get('cdp_release.targets'))).toEqual([{ attributes: {}, value: 1 }]);
    expect(points(m.get('cdp_release.window'))).toEqual([{ attributes: {}, value: 2 }]);
    expect(batcher.targets()).toEqual([{ target, waiting: 3, inFlight: 2, window: 2 }]);
    stop();
  });

  it('stop() removes them: no more observations, no more channel subscriptions', async () => {
    const batcher = new ReleaseBatcher();
    const stop = instrumentBatcher(batcher, { meter: provider.getMeter(METER_NAME) });
    expect(hasSubscribers(CHANNELS.release) && hasSubscribers(CHANNELS.batch)).toBe(true);
    stop();
    stop(); // idempotent
    expect(hasSubscribers(CHANNELS.release) || hasSubscribers(CHANNELS.batch)).toBe(false);
    const m = await reader.metricsNow();
    expect(points(m.get('cdp_release.enqueued'))).toEqual([]);
  });

  it('registers nothing and subscribes to nothing while no SDK is registered (the API\'s no-op meter)', () => {
    expect(metrics.getMeterProvider()).not.toBe(provider); // nothing registered globally in this test
    const batcher = new ReleaseBatcher();
    const stop = instrumentBatcher(batcher);
    expect(hasSubscribers(CHANNELS.release) || hasSubscribers(CHANNELS.batch)).toBe(false);
    stop();
  });

  it('uses the globally registered SDK by default', async () => {
    expect(metrics.setGlobalMeterProvider(provider)).toBe(true);
    try {
      const batcher = new ReleaseBatcher();
      batcher.release({ send: () => Promise.resolve({}) }, 'x');
      await batcher.flush();
      const stop = instrumentBatcher(batcher);
      const m = await reader.metricsNow();
      expect(points(m.get('cdp_release.releases'))).toContainEqual({ attributes: { 'cdp_release.outcome': 'released' }, value: 1 });
      stop();
    } finally {
      metrics.disable();
    }
  });

  it('refuses what is not a batcher, a census or a meter, with a clear error', () => {
    const meter = provider.getMeter(METER_NAME);
    expect(() => instrumentBatcher({} as never, { meter })).toThrow('instrumentBatcher: expected a ReleaseBatcher');
    expect(() => instrumentBatcher(new ReleaseBatcher(), { meter: {} as never })).toThrow('instrumentBatcher: options.meter must be an OpenTelemetry Meter');
    expect(() => instrumentBatcher(new ReleaseBatcher(), 5 as never)).toThrow('instrumentBatcher: options must be an object');
    expect(() => instrumentCensus(null as never, { meter })).toThrow('instrumentCensus: expected a RemoteObjectCensus');
  });

  it('registers the census\'s instruments, read from its snapshot', async () => {
    const census = new RemoteObjectCensus();
    const stop = instrumentCensus(census, { meter: provider.getMeter(METER_NAME) });
    const m = await reader.metricsNow();
    for (const name of ['cdp_release.census.held', 'cdp_release.census.created', 'cdp_release.census.released', 'cdp_release.census.pages', 'cdp_release.census.page.held_max']) {
      expect(points(m.get(name))).toEqual([{ attributes: {}, value: 0 }]);
    }
    expect(m.get('cdp_release.census.oldest_held.age')?.descriptor).toMatchObject({ unit: 's' });
    stop();
    await census.close();
  });
});
