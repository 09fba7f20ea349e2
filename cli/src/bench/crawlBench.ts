// The crawl benchmark: the demo's crawl, pages per second and the pages' heap at the end, with
// release off, with the batcher, and with each client's own ways of releasing, for three clients.
import CDP from 'chrome-remote-interface';
import type { Browser as PlaywrightBrowser } from 'playwright-core';
import type { Browser as PuppeteerBrowser } from 'puppeteer-core';
import { ReleaseBatcher, type ReleaseStats } from 'cdp-release-batcher';
import { launchChromium, type LaunchedChromium } from '../browser/launchChromium.js';
import { DemoCrawl, type ReleaseBy } from '../demo/crawl.js';
import { startDemoSite, type DemoSite } from '../demo/site.js';
import { summarise } from './goals.js';
import { machineOf, type Machine } from './machine.js';
import { median } from './micro.js';
import { goalLines } from './report.js';

export type CrawlClient = 'chrome-remote-interface' | 'puppeteer-core' | 'playwright-core';

/** How a crawl releases: not at all (the limit: releasing for free), or one of {@link ReleaseBy}. */
export type CrawlMode = 'release off' | ReleaseBy;

export const CRAWL_MODES: readonly CrawlMode[] = ['release off', 'batcher', 'scope', 'await-each', 'all-at-once'];

export interface CrawlBenchOptions {
  /** Pages crawled per run. */
  pages: number;
  tabs: number;
  /** Products per page (remote objects per page ≈ products + 2 over chrome-remote-interface, products through the clients' handles). */
  products: number;
  rounds: number;
  browserUrl?: string | undefined;
  /** Only the runs whose `client: mode` matches. */
  only?: RegExp | undefined;
  log?: (line: string) => void;
  onLaunched?: (chromium: LaunchedChromium) => void;
}

export interface CrawlResult {
  client: CrawlClient;
  mode: CrawlMode;
  pagesPerSecond: { median: number; min: number; max: number; runs: number[] };
  /** The crawl's tabs' V8 heap after GC at the end of the crawl, summed (median bytes). */
  heapAfterBytes: number;
  /**
   * Remote objects the tabs' inspectors still hold at the end (heap snapshot; median): what the crawl
   * left unreleased, and the client's own (puppeteer-core's and playwright-core's injected helpers).
   */
  held: number;
  /** The batcher's stats of the last run (the modes that release through it: batcher, scope). */
  stats?: ReleaseStats;
}

export interface CrawlBenchReport {
  machine: Machine;
  crawl: { pages: number; tabs: number; products: number; rounds: number };
  results: CrawlResult[];
  goals: { goal: string; target: string; measured: number; met: boolean }[];
  skipped: string[];
}

interface Clients {
  cri: CDP.Client;
  puppeteer: PuppeteerBrowser | null;
  playwright: PlaywrightBrowser | null;
}

/** One crawl, measured: fresh tabs, warmed up, crawled, every release settled, weighed, closed. */
async function crawlOnce(clients: Clients, site: DemoSite, client: CrawlClient, mode: CrawlMode, options: CrawlBenchOptions): Promise<{ pagesPerSecond: number; heapAfterBytes: number; held: number; stats: ReleaseStats }> {
  const batcher = new ReleaseBatcher();
  const crawl = new DemoCrawl({
    browser: clients.cri,
    siteUrl: site.url,
    pages: options.pages,
    tabs: options.tabs,
    release: mode !== 'release off',
    releaseBy: mode === 'release off' ? undefined : mode,
    batcher,
    watch: false,
    puppeteer: client === 'puppeteer-core' ? clients.puppeteer ?? undefined : undefined,
    playwright: client === 'playwright-core' ? clients.playwright ?? undefined : undefined,
  });
  try {
    await crawl.open();
    await crawl.warmUp(new ReleaseBatcher());
    const t0 = performance.now();
    await crawl.run();
    await batcher.flush(); // the crawl is over when every release it made has settled
    const seconds = (performance.now() - t0) / 1000;
    const heapAfterBytes = await crawl.heap(true);
    const held = await crawl.auditHeld();
    return { pagesPerSecond: options.pages / seconds, heapAfterBytes, held, stats: batcher.stats };
  } finally {
    await batcher.close();
    await crawl.close();
  }
}

function goalsOf(results: CrawlResult[]): CrawlBenchReport['goals'] {
  const goals: CrawlBenchReport['goals'] = [];
  const rate = (client: CrawlClient, mode: CrawlMode): number => results.find((r) => r.client === client && r.mode === mode)?.pagesPerSecond.median ?? Number.NaN;
  for (const client of ['chrome-remote-interface', 'puppeteer-core', 'playwright-core'] as const) {
    const measured = rate(client, 'batcher') / rate(client, 'release off');
    if (!Number.isNaN(measured)) goals.push({ goal: `crawl pages/s with the batcher / with release off (${client})`, target: '>= 0.97x', measured, met: measured >= 0.97 });
    const theirBest = Math.max(rate(client, 'await-each'), rate(client, 'all-at-once'));
    const againstTheirs = rate(client, 'batcher') / theirBest;
    if (!Number.isNaN(againstTheirs)) goals.push({ goal: `crawl pages/s with the batcher / the client's own best way to release (${client})`, target: '>= 0.97x', measured: againstTheirs, met: againstTheirs >= 0.97 });
    // What the client holds of its own (puppeteer's and playwright's injected helpers) stays held whoever releases.
    const ours = results.find((r) => r.client === client && r.mode === 'batcher');
    const theirs = results.find((r) => r.client === client && r.mode === 'await-each');
    if (ours !== undefined && theirs !== undefined) goals.push({ goal: `remote objects held at the end of the crawl: with the batcher - awaiting each release (${client})`, target: '<= 0', measured: ours.held - theirs.held, met: ours.held <= theirs.held });
  }
  return goals;
}

/**
 * The crawl benchmark. One browser and one shop; per round, every client crawls the shop in every
 * mode, interleaved, each run in fresh tabs (warmed up as the demo does, then closed). A run's time
 * ends when every release it made has settled; its heap is weighed after GC.
 */
export async function runCrawlBench(options: CrawlBenchOptions): Promise<CrawlBenchReport> {
  const log = options.log ?? ((): void => undefined);
  let chromium: LaunchedChromium | null = null;
  let site: DemoSite | null = null;
  const clients: Clients = { cri: null as unknown as CDP.Client, puppeteer: null, playwright: null };
  const skipped: string[] = [];
  try {
    site = await startDemoSite(options.products);
    let endpoint = options.browserUrl;
    if (endpoint === undefined) {
      chromium = await launchChromium();
      options.onLaunched?.(chromium);
      endpoint = chromium.browserWSEndpoint;
    }
    clients.cri = await CDP({ target: endpoint });
    try {
      const { connect } = await import('puppeteer-core');
      clients.puppeteer = await connect({ browserWSEndpoint: endpoint, defaultViewport: null, protocolTimeout: 600_000 });
    } catch {
      skipped.push('puppeteer-core is not installed: its crawls are skipped (npm install puppeteer-core)');
    }
    try {
      const { chromium: playwright } = await import('playwright-core');
      clients.playwright = await playwright.connectOverCDP(endpoint);
    } catch {
      skipped.push('playwright-core is not installed: its crawls are skipped (npm install playwright-core)');
    }
    skipped.forEach((line) => log(line));
    const available: CrawlClient[] = ['chrome-remote-interface', ...(clients.puppeteer ? ['puppeteer-core' as const] : []), ...(clients.playwright ? ['playwright-core' as const] : [])];
    // A scope (an object group) needs the objects made in it: only the raw-id crawl can.
    const modesOf = (client: CrawlClient): readonly CrawlMode[] => CRAWL_MODES.filter((mode) => mode !== 'scope' || client === 'chrome-remote-interface');
    const runs = available.flatMap((client) => modesOf(client).map((mode) => ({ client, mode }))).filter((r) => options.only === undefined || options.only.test(`${r.client}: ${r.mode}`));
    if (runs.length === 0) throw new Error(`no crawl matches ${String(options.only)}`);
    const measured = new Map(runs.map((r) => [r, { rates: [] as number[], heaps: [] as number[], held: [] as number[], stats: undefined as ReleaseStats | undefined }]));
    for (let round = 0; round < options.rounds; round++) {
      for (const run of runs) {
        const m = await crawlOnce(clients, site, run.client, run.mode, options);
        const entry = measured.get(run);
        entry?.rates.push(m.pagesPerSecond);
        entry?.heaps.push(m.heapAfterBytes);
        entry?.held.push(m.held);
        if (entry !== undefined && (run.mode === 'batcher' || run.mode === 'scope')) entry.stats = m.stats;
        log(`round ${round + 1}/${options.rounds}  ${run.client.padEnd(23)} ${run.mode.padEnd(12)} ${m.pagesPerSecond.toFixed(1).padStart(7)} pages/s  heap ${(m.heapAfterBytes / 1024 / 1024).toFixed(1)} MB  held ${m.held}`);
      }
    }
    const results: CrawlResult[] = runs.map((run) => {
      const m = measured.get(run) ?? { rates: [], heaps: [], held: [], stats: undefined };
      return {
        client: run.client,
        mode: run.mode,
        pagesPerSecond: summarise(m.rates),
        heapAfterBytes: median(m.heaps),
        held: median(m.held),
        ...(m.stats === undefined ? {} : { stats: m.stats }),
      };
    });
    const version = (await clients.cri.Browser.getVersion()).product;
    return { machine: machineOf(version), crawl: { pages: options.pages, tabs: options.tabs, products: options.products, rounds: options.rounds }, results, goals: goalsOf(results), skipped };
  } finally {
    await clients.playwright?.close().catch(() => undefined); // connected over CDP: disconnects only
    await clients.puppeteer?.disconnect().catch(() => undefined);
    await (clients.cri as CDP.Client | null)?.close().catch(() => undefined);
    await chromium?.close();
    await site?.close();
  }
}

/** The crawl benchmark as a table, its goals after it. */
export function formatCrawlReport(report: CrawlBenchReport): string {
  const c = report.crawl;
  const lines = [
    `the demo's crawl: ${c.pages} pages of ${c.products} products in ${c.tabs} tabs per run, ${c.rounds} round(s), runs interleaved; ${report.machine.cpus} cores, ${report.machine.cpu}, Node ${report.machine.node}, ${report.machine.browser}`,
    '',
    `${'client'.padEnd(24)}${'release'.padEnd(14)}${'pages/s'.padStart(9)}${'min'.padStart(9)}${'max'.padStart(9)}${'vs off'.padStart(8)}${'heap after'.padStart(12)}${'held'.padStart(8)}`,
  ];
  for (const r of report.results) {
    const off = report.results.find((o) => o.client === r.client && o.mode === 'release off')?.pagesPerSecond.median;
    const ratio = off === undefined ? 'n/a' : `${(r.pagesPerSecond.median / off).toFixed(2)}x`;
    lines.push(`${r.client.padEnd(24)}${r.mode.padEnd(14)}${r.pagesPerSecond.median.toFixed(1).padStart(9)}${r.pagesPerSecond.min.toFixed(1).padStart(9)}${r.pagesPerSecond.max.toFixed(1).padStart(9)}${ratio.padStart(8)}${`${(r.heapAfterBytes / 1024 / 1024).toFixed(1)} MB`.padStart(12)}${r.held.toLocaleString('en-US').padStart(8)}`);
  }
  lines.push('', 'goals:');
  lines.push(...goalLines(report.goals));
  return lines.join('\n');
}
