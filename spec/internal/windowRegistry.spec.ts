import { WindowRegistry } from '../../src/internal/windowRegistry';

describe('WindowRegistry: the window per kind of client', () => {
  const adaptive = { kind: 'adaptive', min: 64, max: 1024, startCri: 256 } as const;

  /** Feeds `window` epochs of backlogged settles whose rate halves whenever the window is at 1024. */
  function drive(window: { limit: number; backloggedSettle(now: number): void }, epochs: number): number[] {
    const seen = new Set<number>([window.limit]);
    let now = 0;
    for (let i = 0; i < epochs * 1024; i++) {
      now += window.limit === 1024 ? 0.2 : 0.1; // the cap is measured slower: an adaptive window leaves it
      window.backloggedSettle(now);
      seen.add(window.limit);
    }
    return [...seen].sort((a, b) => a - b);
  }

  it('a chrome-remote-interface target gets an adaptive window of its own, from startCri, kept for the next burst', () => {
    const registry = new WindowRegistry(adaptive);
    const cri = {};
    const window = registry.windowOf(cri, true);
    expect(window.limit).toBe(256);
    expect(registry.windowOf(cri, true)).toBe(window);
    expect(registry.windowOf({}, true)).not.toBe(window);
    expect(drive(window, 40).length).toBeGreaterThan(1); // it moves
  });

  it('any other client gets the cap, fixed: noisy epochs never move it', () => {
    const registry = new WindowRegistry(adaptive);
    const window = registry.windowOf({}, false);
    expect(window.limit).toBe(1024);
    expect(drive(window, 40)).toEqual([1024]);
  });

  it('a fixed maxInFlight bounds every target alike', () => {
    const registry = new WindowRegistry({ kind: 'fixed', size: 3 });
    expect([registry.windowOf({}, true).limit, registry.windowOf({}, false).limit]).toEqual([3, 3]);
  });
});
