import { TestScheduler } from 'rxjs/testing';
import { AdaptiveWindow } from '../../src/internal/adaptiveWindow';
import { ReleaseBatcher } from '../../src/index';
import { VirtualTarget } from '../support/virtualTarget';

/**
 * Drives a window with a model client: `rate(limit)` releases per ms while backlogged. Returns the
 * limit after each of `completions` settles.
 */
function drive(window: AdaptiveWindow, rate: (limit: number) => number, completions: number): number[] {
  let now = 0;
  const limits: number[] = [];
  for (let i = 0; i < completions; i++) {
    now += 1 / rate(window.limit);
    window.backloggedSettle(now);
    limits.push(window.limit);
  }
  return limits;
}

/** Drives a window as {@link drive} does; returns each change as [completion, new limit], the start first. */
function transitions(window: AdaptiveWindow, rate: (limit: number) => number, completions: number): [number, number][] {
  let now = 0;
  const changes: [number, number][] = [[0, window.limit]];
  for (let i = 1; i <= completions; i++) {
    now += 1 / rate(window.limit);
    window.backloggedSettle(now);
    if (window.limit !== changes.at(-1)![1]) changes.push([i, window.limit]);
  }
  return changes;
}

const share = (limits: number[], value: number): number => limits.filter((l) => l === value).length / limits.length;

describe('AdaptiveWindow', () => {
  it('climbs to the cap for a client that keeps gaining with more in flight (puppeteer-like)', () => {
    const window = new AdaptiveWindow(256, 64, 1024);
    const limits = drive(window, (limit) => limit / 40, 40_000);
    // it got there within the first 20% of the burst and spent most of the time there
    expect(limits.slice(8_000).every((l) => l >= 512)).toBe(true);
    expect(share(limits, 1024)).toBeGreaterThan(0.7);
    expect(Math.max(...limits)).toBe(1024);
  });

  it('stays at the peak for a client that is fastest at 256 (chrome-remote-interface-like)', () => {
    const peak = (limit: number): number => ({ 64: 12, 128: 17, 256: 21, 512: 19, 1024: 16 } as Record<number, number>)[limit] ?? 1;
    const limits = drive(new AdaptiveWindow(256, 64, 1024), peak, 60_000);
    expect(share(limits, 256)).toBeGreaterThan(0.7);
    expect(Math.min(...limits)).toBeGreaterThanOrEqual(128);
    expect(Math.max(...limits)).toBeLessThanOrEqual(512);
  });

  it('comes down when a smaller window is faster', () => {
    const limits = drive(new AdaptiveWindow(1024, 64, 1024), (limit) => 1000 / limit, 40_000);
    expect(share(limits.slice(20_000), 64)).toBeGreaterThan(0.7);
  });

  describe('step by step (levels 2..16, epochs of max(4, window) completions, 3 epochs held, 5% margin)', () => {
    const small = (rates: Record<number, number>): [number, number][] => transitions(new AdaptiveWindow(4, 2, 16, 4, 3, 0.05), (l) => rates[l]!, 200);
    // The first completion starts an epoch; a new level is measured from its own first completion.

    it('probes up once the start level was measured, keeps a faster level, undoes a slower one and turns round', () => {
      expect(small({ 2: 1, 4: 2, 8: 3, 16: 2.9 })).toEqual([
        [0, 4], [5, 8], // 4 measured once (completions 2-5), then probed: 8 is faster, kept, held, probed up
        [22, 16], [39, 8], // 16 is slower: back to 8, and the next probe goes down
        [64, 4], [69, 8], // 8 held three epochs (40-64), 4 probed and undone after one epoch of 4
        [94, 16], [111, 8], [136, 4], [141, 8], [166, 16], [183, 8], // and so on around the best level
      ]);
    });

    it('at the top it turns round at once: the probe goes down and comes back', () => {
      expect(small({ 2: 2, 4: 4, 8: 8, 16: 16 })).toEqual([[0, 4], [5, 8], [22, 16], [55, 8], [64, 16], [113, 8], [122, 16], [171, 8], [180, 16]]);
    });

    it('keeps a probed level only when it is faster by more than the margin', () => {
      const within = small({ 2: 1, 4: 2, 8: 2.09, 16: 3 }); // 8 is 4.5% faster: undone
      expect(within.slice(0, 5)).toEqual([[0, 4], [5, 8], [14, 4], [27, 2], [32, 4]]);
      const beyond = small({ 2: 1, 4: 2, 8: 2.11, 16: 3 }); // 5.5% faster: kept
      expect(beyond.slice(0, 4)).toEqual([[0, 4], [5, 8], [22, 16], [55, 8]]);
    });
  });

  it('measures nothing while the lane is not backlogged', () => {
    const window = new AdaptiveWindow(256, 64, 1024);
    let now = 0;
    for (let i = 0; i < 50_000; i++) {
      now += i % 2 === 0 ? 1 : 1000; // every other settle found nothing waiting
      if (i % 2 === 0) window.backloggedSettle(now);
      else window.drained();
    }
    expect(window.limit).toBe(256);
  });

  it('does not measure the idle time between two backlogs: drained() starts the next epoch afresh', () => {
    // Level 64 measured at 64 releases/ms, then a probe of 128 at 128/ms — with a 10 s pause in the
    // middle of the probe's epoch, when the backlog ran out. Measured across the pause, the probe
    // would look 1,000 times slower and be undone.
    const window = new AdaptiveWindow(64, 64, 1024, 64, 1);
    let now = 0;
    const settle = (n: number, perMs: number): void => {
      for (let i = 0; i < n; i++) window.backloggedSettle((now += 1 / perMs));
    };
    settle(65, 64);
    expect(window.limit).toBe(128); // probing
    settle(64, 128);
    window.drained();
    now += 10_000;
    settle(129, 128);
    expect(window.limit).toBe(128); // the probe was kept (across the pause it would be undone: 64)
  });

  it('keeps within its bounds, and holds still when they are equal', () => {
    const fixed = new AdaptiveWindow(999, 64, 64);
    expect(drive(fixed, (l) => l, 10_000).every((l) => l === 64)).toBe(true);
    const limits = drive(new AdaptiveWindow(1, 64, 300), (l) => l, 20_000);
    expect(Math.min(...limits)).toBeGreaterThanOrEqual(64);
    expect(Math.max(...limits)).toBe(300);
  });

  it('waits for time to pass on a coarse clock instead of dividing by zero', () => {
    const window = new AdaptiveWindow(256, 64, 1024);
    for (let i = 0; i < 10_000; i++) window.backloggedSettle(0);
    expect(window.limit).toBe(256);
  });
});

describe('ReleaseBatcher window', () => {
  const run = (options: ConstructorParameters<typeof ReleaseBatcher>[0], n: number, criLike = false): VirtualTarget => {
    let target: VirtualTarget | null = null;
    testScheduler.run(({ flush }) => {
      const batcher = new ReleaseBatcher({ ...options, scheduler: testScheduler });
      target = new VirtualTarget('t', testScheduler, () => ({ delay: 10 }));
      // what chrome-remote-interface looks like to the dispatcher: a client with a corkable socket
      if (criLike) Object.assign(target, { _ws: { _socket: { cork: () => undefined, uncork: () => undefined } } });
      for (let i = 0; i < n; i++) batcher.release(target, `o${i}`);
      flush();
      expect(batcher.stats.released).toBe(n);
    });
    return target as unknown as VirtualTarget;
  };
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  });

  it('by default starts a chrome-remote-interface client at 256 in flight and widens, up to 1024, when it answers faster with more in flight', () => {
    const target = run({}, 60_000, true);
    expect(target.calls.filter((c) => c.time === 0)).toHaveLength(256);
    expect(target.maxOutstanding).toBe(1024);
  });

  it('by default starts any other client at 1024 in flight', () => {
    const target = run({}, 5_000);
    expect(target.calls.filter((c) => c.time === 0)).toHaveLength(1024);
    expect(target.maxOutstanding).toBe(1024);
  });

  it('a trickle (never backlogged) leaves the window where it starts: the next burst still opens at 256', () => {
    let target: VirtualTarget | null = null;
    testScheduler.run(({ flush }) => {
      const batcher = new ReleaseBatcher({ scheduler: testScheduler });
      target = new VirtualTarget('t', testScheduler, () => ({ delay: 10 }));
      Object.assign(target, { _ws: { _socket: { cork: () => undefined, uncork: () => undefined } } });
      const t = target;
      // 800 releases one at a time, each after the previous one settled: nothing ever waits for a slot
      for (let i = 0; i < 800; i++) testScheduler.schedule(() => batcher.release(t, `trickle${i}`), i * 20);
      testScheduler.schedule(() => {
        for (let i = 0; i < 2_000; i++) batcher.release(t, `burst${i}`);
      }, 800 * 20);
      flush();
      expect(batcher.stats.released).toBe(2_800);
    });
    const calls = (target as unknown as VirtualTarget).calls;
    expect(calls.filter((c) => c.time === 800 * 20)).toHaveLength(256);
  });

  it('keeps a given maxInFlight fixed', () => {
    const target = run({ maxInFlight: 256 }, 60_000);
    expect(target.maxOutstanding).toBe(256);
  });
});
