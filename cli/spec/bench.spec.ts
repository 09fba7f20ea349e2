import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../src/browser/launchChromium';
import type { CrawlBenchReport } from '../src/bench/crawlBench';
import type { BenchReport } from '../src/bench/runBench';
import { chromiumUnder, cli } from './support/cli';

jest.setTimeout(240_000);

describe('cdp-release bench (the real command, small sizes)', () => {
  it('measures every strategy on real Chromium, checks the objects gone, and writes JSON, SVG and a table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-out-'));
    const json = join(dir, 'bench.json');
    const svg = join(dir, 'chart', 'bench.svg');
    const ran = await cli(['bench', '--objects', '600', '--rounds', '1', '--max-in-flight', '128', '--micro-sizes', '20000,100000', '--json', json, '--svg', svg]);
    expect(ran.code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
    expect(report.objects).toBe(600);
    expect(report.machine).toMatchObject({ cpus: expect.any(Number) as number, node: process.version });
    expect(report.machine.browser).toMatch(/Chrome\//);
    expect(report.skipped).toEqual([]);

    const kinds = (client: string): string[] => report.results.filter((r) => r.client === client).map((r) => r.window === undefined ? r.kind : `${r.kind}${r.window}`);
    expect(kinds('chrome-remote-interface')).toEqual(['serial', 'all-at-once', 'literal-card', 'window1', 'window2', 'window4', 'window8', 'window16', 'batcher', 'batcher', 'group']);
    expect(kinds('raw WebSocket')).toEqual(['window1', 'window2', 'window4', 'window8', 'window16']);
    expect(kinds('puppeteer-core')).toEqual(['dispose-serial', 'dispose-all', 'handles', 'window1', 'window2', 'window4', 'window8', 'window16', 'batcher', 'batcher']);
    expect(report.results.map((r) => r.strategy)).toContain('ReleaseBatcher maxInFlight 128');
    // The census's cost: the same burst of handles through its transport and its relay.
    expect(kinds('puppeteer-core + census transport')).toEqual(['handles']);
    expect(kinds('puppeteer-core + census relay')).toEqual(['handles']);
    expect(report.census).toMatchObject({ objects: 100_000, closedPageLetGo: true });
    expect(report.census?.bytesPerTrackedObject).toBeGreaterThan(0);
    expect(report.goals.map((g) => g.goal)).toEqual(expect.arrayContaining([
      'puppeteer-core release(handle) burst through the census transport / without the census',
      'puppeteer-core release(handle) burst through the census relay / without the census',
      'census bytes per tracked object',
    ]));

    // The raw limit is the best raw window, and every ratio is against it.
    const raw = report.results.filter((r) => r.client === 'raw WebSocket');
    expect(report.rawLimit.releasesPerSecond).toBe(Math.max(...raw.map((r) => r.releasesPerSecond.median)));
    for (const r of report.results) {
      expect(r.releasesPerSecond.median).toBeGreaterThan(0);
      expect(r.releasesPerSecond.min).toBeLessThanOrEqual(r.releasesPerSecond.max);
      expect(r.ratioToRawLimit).toBeCloseTo(r.releasesPerSecond.median / report.rawLimit.releasesPerSecond, 6);
    }
    expect(report.goals.map((g) => g.goal)).toEqual(expect.arrayContaining([
      'ReleaseBatcher / awaiting each call (chrome-remote-interface)',
      'thread held handing the handles over: release(handle) loop / handles.map(h => h.dispose()) (puppeteer-core)',
      'ReleaseBatcher.release(handle) / Promise.all(dispose()) (puppeteer-core handles)',
      'ReleaseBatcher / raw per-object limit (chrome-remote-interface)',
      'heap bytes per pending release',
    ]));

    const micro = report.micro;
    expect(micro).not.toBeNull();
    expect(Object.keys(micro?.cpuNsPerRelease.batcher ?? {})).toEqual(['20000', '100000']);
    expect(micro?.pending).toBe(100_000);
    expect(micro?.heapBytesPerPendingRelease).toBeGreaterThan(0);
    expect(micro?.heapBytesPerPendingRelease).toBeLessThan(1000);
    expect(micro?.loneRelease.settledBeforeNextMacrotask).toBe(true);
    expect(micro?.idle.activeTimers).toBe(0);
    expect(report.loneReleaseOverChrome.batcherMs).toBeGreaterThan(0);
    // A navigation with the releases queued: each one settled, none sent twice, and the goals judged.
    const nav = report.navigation;
    expect(nav).toMatchObject({ client: 'puppeteer-core', queued: 600 });
    expect((nav?.released ?? 0) + (nav?.gone ?? 0)).toBe(600);
    expect(nav?.sent).toBeLessThanOrEqual(600);
    expect(nav?.sentToDeadContext).toBeLessThanOrEqual(nav?.sent ?? 0);
    expect(nav?.flushMs).toBeGreaterThanOrEqual(0);
    expect(report.goals.map((g) => g.goal)).toEqual(expect.arrayContaining(['release messages sent to the dead context with 600 queued, then a navigation (puppeteer-core)', 'flush() after that navigation, ms']));

    expect(ran.stdout).toContain('goals:');
    expect(ran.stdout).toContain('ReleaseBatcher (defaults) over CDPSession');
    const chart = readFileSync(svg, 'utf8');
    expect(chart.startsWith('<svg')).toBe(true);
    expect(chart).toContain('raw WebSocket: raw: 64 x 16 batches in flight');
    expect(chromiumUnder(ran.tmp)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--crawl: the demo\'s crawl for each client with release off, the batcher and the clients\' own ways; released crawls hold nothing of theirs at the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-crawl-'));
    const json = join(dir, 'crawl.json');
    const ran = await cli(['bench', '--crawl', '--pages', '3', '--tabs', '1', '--products', '12', '--rounds', '1', '--json', json, '--quiet']);
    expect(ran.code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as CrawlBenchReport;
    expect(report.crawl).toEqual({ pages: 3, tabs: 1, products: 12, rounds: 1 });
    const clients = ['chrome-remote-interface', 'puppeteer-core', 'playwright-core'];
    // a scope per page (one object group) only where the crawl makes the objects itself
    expect(report.results.map((r) => `${r.client}: ${r.mode}`)).toEqual(clients.flatMap((c) => ['release off', 'batcher', ...(c === 'chrome-remote-interface' ? ['scope'] : []), 'await-each', 'all-at-once'].map((m) => `${c}: ${m}`)));
    for (const r of report.results) {
      expect(r.pagesPerSecond.median).toBeGreaterThan(0);
      expect(r.heapAfterBytes).toBeGreaterThan(0);
    }
    for (const client of clients) {
      const of = (mode: string): CrawlBenchReport['results'][number] | undefined => report.results.find((r) => r.client === client && r.mode === mode);
      // Every product element of the 3 pages is still held with release off; none of them with the batcher.
      expect((of('release off')?.held ?? 0) - (of('batcher')?.held ?? 0)).toBeGreaterThanOrEqual(3 * 12);
      expect(of('batcher')?.held).toBe(of('await-each')?.held); // what stays is the client's own
      expect(of('batcher')?.stats?.released).toBeGreaterThanOrEqual(3 * 12);
      if (client === 'chrome-remote-interface') {
        expect(of('scope')?.held).toBe(0);
        expect(of('scope')?.stats?.released).toBe(3); // one Runtime.releaseObjectGroup per page
      }
      expect(report.goals.map((g) => g.goal)).toEqual(expect.arrayContaining([`crawl pages/s with the batcher / with release off (${client})`, `crawl pages/s with the batcher / the client's own best way to release (${client})`]));
    }
    expect(ran.stdout).toContain('vs off');
    expect(ran.stdout).toContain('goals:');
    expect(chromiumUnder(ran.tmp)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses a running browser with --browser-url, runs only what --only matches, and leaves that browser running', async () => {
    const browser = await launchChromium();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'bench-url-'));
      const json = join(dir, 'bench.json');
      const ran = await cli(['bench', '--browser-url', browser.browserWSEndpoint, '--objects', '300', '--rounds', '1', '--no-micro', '--only', 'raw WebSocket', '--json', json, '--quiet']);
      expect(ran.code).toBe(0);
      const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
      expect(new Set(report.results.map((r) => r.client))).toEqual(new Set(['raw WebSocket']));
      expect(report.micro).toBeNull();
      expect(report.rawLimit.releasesPerSecond).toBeGreaterThan(0);
      // still alive, and the benchmark's page is closed again
      const targets = (await (await fetch(`http://127.0.0.1:${browser.port}/json/list`)).json()) as { url: string }[];
      expect(targets.map((t) => t.url)).not.toContain('about:blank#cdp-release-bench');
      rmSync(dir, { recursive: true, force: true });
    } finally {
      await browser.close();
    }
  });

  it('measures another build of the library side by side with --baseline, and says when there is none', async () => {
    // A build of this very source, made by the library's own build script: a second copy of the code.
    const root = join(__dirname, '..', '..');
    const build = mkdtempSync(join(root, '.tmp-baseline-'));
    try {
      execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), build], { stdio: 'ignore' });
      const json = join(build, 'bench.json');
      const only = 'ReleaseBatcher \\(defaults\\)';
      const ran = await cli(['bench', '--baseline', join(build, 'cjs', 'index.js'), '--objects', '400', '--rounds', '1', '--micro-sizes', '20000,50000', '--only', only, '--json', json, '--quiet']);
      expect(ran.code).toBe(0);
      const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
      expect(report.results.map((r) => [r.client, r.kind, r.strategy])).toEqual([
        ['chrome-remote-interface', 'batcher', 'ReleaseBatcher (defaults)'],
        ['chrome-remote-interface', 'baseline', 'baseline build: ReleaseBatcher (defaults)'],
        ['puppeteer-core', 'batcher', 'ReleaseBatcher (defaults) over CDPSession'],
        ['puppeteer-core', 'baseline', 'baseline build: ReleaseBatcher (defaults) over CDPSession'],
      ]);
      for (const r of report.results) expect(r.releasesPerSecond.median).toBeGreaterThan(0);
      expect(report.goals.map((g) => g.goal)).toEqual(expect.arrayContaining([
        'ReleaseBatcher / baseline build (chrome-remote-interface)',
        'ReleaseBatcher / baseline build (puppeteer-core session)',
        'CPU per release on a no-op transport, nobody subscribed / baseline build',
        'heap bytes per pending release / baseline build',
      ]));
      // ... and in the no-op transport measures, in the same rounds
      expect(Object.keys(report.micro?.cpuNsPerRelease.baseline ?? {})).toEqual(['20000', '50000']);
      expect(report.micro?.cpuNsPerRelease.ratioToBaseline).toBeGreaterThan(0);
      expect(report.micro?.heapBytesPerPendingReleaseBaseline).toBeGreaterThan(0);
      // what observing costs: one channel subscriber, and the OpenTelemetry instruments under an SDK
      const observed = report.micro?.observed;
      expect(observed?.channelSubscriber).toBeGreaterThan(0);
      expect(observed?.otelSdk).toBeGreaterThan(0);
      expect(observed?.ratioChannel).toBeGreaterThan(0);
      expect(observed?.ratioOtel).toBeGreaterThan(0);
      expect(ran.stdout).toMatch(/observing, CPU per release @20,000: nobody subscribed [\d.]+ µs; one channel subscriber [\d.]+ µs \([\d.]+x\); OpenTelemetry instruments under an SDK [\d.]+ µs \([\d.]+x\)/);

      const missing = await cli(['bench', '--baseline', join(build, 'nothing-here.js'), '--objects', '10', '--rounds', '1', '--no-micro', '--quiet']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('nothing-here.js');
      expect(chromiumUnder(missing.tmp)).toEqual([]);
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  });

  it.each([
    [['--only', '(']],
    [['--objects', '0']],
    [['--rounds', 'x']],
    [['--max-in-flight', '256,0']],
    [['--micro-sizes', '1000000,200000']],
    [['--browser-url', 'http://127.0.0.1:9222']],
  ])('rejects bad usage %j with exit code 2 and a message', async (args) => {
    const ran = await cli(['bench', ...args]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/error: /);
  });
});
