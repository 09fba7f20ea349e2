// The benchmark's figures summarised, and its goals judged, as ratios measured in the same run.
import { median } from './micro.js';
import type { BenchClient, BenchReport, StrategyKind, StrategyResult } from './types.js';

export function summarise(runs: number[]): StrategyResult['releasesPerSecond'] {
  return { median: median(runs), min: Math.min(...runs), max: Math.max(...runs), runs };
}

export function goalsOf(results: StrategyResult[], report: Omit<BenchReport, 'goals'>): BenchReport['goals'] {
  const rate = (client: BenchClient, kind: StrategyKind, name?: string): number =>
    results.find((r) => r.client === client && r.kind === kind && (name === undefined || r.strategy.startsWith(name)))?.releasesPerSecond.median ?? Number.NaN;
  const ours = rate('chrome-remote-interface', 'batcher', 'ReleaseBatcher (defaults)');
  const oursP = rate('puppeteer-core', 'batcher', 'ReleaseBatcher (defaults)');
  const sync = (client: BenchClient, kind: StrategyKind): number => results.find((r) => r.client === client && r.kind === kind)?.syncMs ?? Number.NaN;
  const goals: BenchReport['goals'] = [];
  const add = (goal: string, target: string, measured: number, bound: number, atMost = false): void => {
    if (Number.isNaN(measured)) return;
    goals.push({ goal, target, measured, met: atMost ? measured <= bound : measured >= bound });
  };
  add('ReleaseBatcher / awaiting each call (chrome-remote-interface)', '>= 9x', ours / rate('chrome-remote-interface', 'serial'), 9);
  add('ReleaseBatcher / literal design card (chrome-remote-interface)', '>= 4x', ours / rate('chrome-remote-interface', 'literal-card'), 4);
  add('ReleaseBatcher / best fixed window (chrome-remote-interface)', '>= 0.95x', ours / (report.bestWindow['chrome-remote-interface']?.releasesPerSecond ?? Number.NaN), 0.95);
  add('ReleaseBatcher / best fixed window (puppeteer-core session)', '>= 0.9x', oursP / (report.bestWindow['puppeteer-core']?.releasesPerSecond ?? Number.NaN), 0.9);
  add('ReleaseBatcher.release(handle) / Promise.all(dispose()) (puppeteer-core handles)', '>= 1.2x', rate('puppeteer-core', 'handles') / rate('puppeteer-core', 'dispose-all'), 1.2);
  add('thread held handing the handles over: release(handle) loop / handles.map(h => h.dispose()) (puppeteer-core)', '<= 0.2x', sync('puppeteer-core', 'handles') / sync('puppeteer-core', 'dispose-all'), 0.2, true);
  add('ReleaseBatcher.release(handle) / Promise.all(dispose()) (playwright-core handles)', '>= 1.0x', rate('playwright-core', 'handles') / rate('playwright-core', 'dispose-all'), 1);
  add('thread held handing the handles over: release(handle) loop / handles.map(h => h.dispose()) (playwright-core)', '<= 0.2x', sync('playwright-core', 'handles') / sync('playwright-core', 'dispose-all'), 0.2, true);
  add('ReleaseBatcher / raw per-object limit (chrome-remote-interface)', '>= 0.85x', ours / report.rawLimit.releasesPerSecond, 0.85);
  const baselineCri = rate('chrome-remote-interface', 'baseline');
  const baselineP = rate('puppeteer-core', 'baseline');
  add('ReleaseBatcher / baseline build (chrome-remote-interface)', '>= 0.9x (no worse than noise)', ours / baselineCri, 0.9);
  add('ReleaseBatcher / baseline build (puppeteer-core session)', '>= 0.9x (no worse than noise)', oursP / baselineP, 0.9);
  add('ReleaseScope / awaiting each call', '>= 100x', rate('chrome-remote-interface', 'group') / rate('chrome-remote-interface', 'serial'), 100);
  const m = report.micro;
  if (m !== null) {
    add('CPU per release on a no-op transport / literal card', '<= 1.0x', m.cpuNsPerRelease.ratioToLiteralCard, 1, true);
    add('CPU per release at the large backlog / the small one', '<= 1.2x', m.cpuNsPerRelease.growth, 1.2, true);
    add('heap bytes per pending release', '<= 200', m.heapBytesPerPendingRelease, 200, true);
    add('CPU per release on a no-op transport, nobody subscribed / baseline build', '<= 1.01x', m.cpuNsPerRelease.ratioToBaseline ?? Number.NaN, 1.01, true);
    add('heap bytes per pending release / baseline build', '<= 1.1x', m.heapBytesPerPendingReleaseBaseline === undefined ? Number.NaN : m.heapBytesPerPendingRelease / m.heapBytesPerPendingReleaseBaseline, 1.1, true);
    add('lone release on a no-op transport settles before the next macrotask', '= 1 (yes)', m.loneRelease.settledBeforeNextMacrotask ? 1 : 0, 1);
    add('timers held by an idle batcher', '= 0', m.idle.activeTimers, 0, true);
  }
  const handlesP = rate('puppeteer-core', 'handles');
  add('puppeteer-core release(handle) burst through the census transport / without the census', '>= 0.95x', rate('puppeteer-core + census transport', 'handles') / handlesP, 0.95);
  add('puppeteer-core release(handle) burst through the census relay / without the census', '>= 0.95x', rate('puppeteer-core + census relay', 'handles') / handlesP, 0.95);
  const c = report.census;
  if (c !== null) {
    add('census bytes per tracked object', '<= 200', c.bytesPerTrackedObject, 200, true);
    add('a closed page leaves the census, its entries let go', '= 1 (yes)', c.closedPageLetGo ? 1 : 0, 1);
  }
  const nav = report.navigation;
  if (nav !== null) {
    add(`release messages sent to the dead context with ${nav.queued.toLocaleString('en-US')} queued, then a navigation (puppeteer-core)`, '<= 2,000', nav.sentToDeadContext, 2000, true);
    add('flush() after that navigation, ms', '<= 500', nav.flushMs, 500, true);
  }
  add('lone release over Chrome / one awaited call', '<= 1.5x (one round trip)', report.loneReleaseOverChrome.ratio, 1.5, true);
  return goals;
}
