#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { renderChart } from './bench/chart.js';
import { formatCrawlReport, runCrawlBench } from './bench/crawlBench.js';
import { formatReport, runBench } from './bench/runBench.js';
import { ChromiumLaunchError, type LaunchedChromium } from './browser/launchChromium.js';
import { startDashboardServer } from './demo/dashboardServer.js';
import { startMetricsServer } from './demo/metricsServer.js';
import { DemoRun, type DemoSummary } from './demo/runDemo.js';
import { formatComparison } from './demo/heapSnapshot.js';
import { startDashboard } from './terminalDashboard.js';
import { takeAlongOnExit } from './exitPaths.js';
import { soak, type SoakFlags } from './soak.js';

/** Exit codes: 0 success, 1 runtime failure, 2 bad usage, 130 interrupted. */
const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

const positiveInt = (name: string, max: number) => (value: string): number => {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < 1 || parsed > max) {
    throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}, got "${value}"`);
  }
  return parsed;
};

const browserUrl = (value: string): string => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`not a URL: "${value}" (expected ws://HOST:PORT/devtools/browser/ID)`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new InvalidArgumentError(`expected a ws:// DevTools URL (ws://HOST:PORT/devtools/browser/ID), got "${value}"`);
  }
  return value;
};

function summaryText(s: DemoSummary): string {
  const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(2)} MB`;
  const change = (s.heap.afterBytes - s.heap.beforeBytes) / Math.max(1, s.heap.beforeBytes);
  const pct = `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
  return [
    `${s.interrupted ? 'interrupted after' : 'crawled'} ${s.pages} pages, ${s.objects.toLocaleString('en-US')} remote objects, ${s.products.toLocaleString('en-US')} products in ${(s.durationMs / 1000).toFixed(1)} s (release ${s.release ? 'on' : 'off'})`,
    `  released ${s.stats.released}  gone ${s.stats.gone}  failed ${s.stats.failed}  timed out ${s.stats.timedOut}  dropped ${s.stats.dropped}  (enqueued ${s.stats.enqueued}, ${s.stats.batches} batches)`,
    `  remote objects still held: ${s.held.census.toLocaleString('en-US')} (census), ${s.held.heapSnapshot.toLocaleString('en-US')} (heap snapshot)${s.held.census === s.held.heapSnapshot ? '' : ' — they differ: objects the census did not see'}`,
    `  pages' V8 heap after GC: ${mb(s.heap.beforeBytes)} before, ${mb(s.heap.afterBytes)} after (${pct}): ${s.heap.verdict.text}`,
    ...(s.heapSnapshots ? [`  heap snapshots: ${s.heapSnapshots.before}, ${s.heapSnapshots.after}`, formatComparison(s.heapSnapshots.changes)] : []),
    ...(s.client === 'playwright' ? [`  playwright handles watched and never disposed: ${s.stats.watched.toLocaleString('en-US')} (playwright holds them until disposed: a leak, seen live on the dashboards)`] : []),
  ].join('\n');
}

interface DemoFlags { pages: number; tabs: number; products: number; release: boolean; client: 'cri' | 'playwright'; browserUrl?: string; json?: string; serve?: number | true; metricsPort?: number; linger?: number; heapSnapshots?: string }

const portNumber = (option: string) => (value: string): number => {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || parsed > 65_535) throw new InvalidArgumentError(`${option} takes a port from 0 to 65535 (0: any free one), got "${value}"`);
  return parsed;
};

const seconds = (option: string) => (value: string): number => {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || parsed > 86_400) throw new InvalidArgumentError(`${option} takes whole seconds from 0 to 86400, got "${value}"`);
  return parsed;
};

/** Resolves on the first SIGINT (the crawl is over: Ctrl-C now only stops the dashboard and the metrics). */
const untilCtrlC = (): Promise<void> => new Promise((resolve) => process.once('SIGINT', () => resolve()));

/** Resolves after `s` seconds or on the first SIGINT, whichever comes first. */
const lingerFor = (s: number): Promise<void> => new Promise((resolve) => {
  const done = (): void => {
    clearTimeout(timer);
    process.off('SIGINT', done);
    resolve();
  };
  const timer = setTimeout(done, s * 1000);
  process.once('SIGINT', done);
});

async function demo(flags: DemoFlags): Promise<number> {
  const run = new DemoRun({ pages: flags.pages, tabs: flags.tabs, products: flags.products, release: flags.release, client: flags.client, browserUrl: flags.browserUrl, heapSnapshots: flags.heapSnapshots });
  const state = { interrupted: false };
  const onSigint = (): void => {
    if (state.interrupted) {
      // a second Ctrl-C: stop now, but never leave the browser behind
      run.killBrowserNow();
      process.exit(EXIT.interrupted);
    }
    state.interrupted = true;
    process.stderr.write('\ninterrupted: flushing releases and closing the browser (Ctrl-C again to force)\n');
    run.interrupt();
  };
  process.on('SIGINT', onSigint);
  takeAlongOnExit(() => run.killBrowserNow());
  const web = flags.serve === undefined ? null : await startDashboardServer(run, flags.serve === true ? 0 : flags.serve);
  if (web !== null) process.stdout.write(`live dashboard: ${web.url}\n`);
  const metrics = flags.metricsPort === undefined ? null : await startMetricsServer(run, flags.metricsPort);
  if (metrics !== null) process.stdout.write(`metrics (Prometheus): ${metrics.url}\n`);
  const stopDashboard = await startDashboard(run, process.stdout);
  try {
    const summary = await run.run();
    stopDashboard();
    process.stdout.write(`\n${summaryText(summary)}\n`);
    if (flags.json !== undefined) writeFileSync(flags.json, `${JSON.stringify(summary, null, 2)}\n`);
    web?.finish(summary);
    const serving = [web?.url, metrics?.url].filter((url) => url !== undefined);
    if (serving.length > 0 && !state.interrupted && (flags.linger !== undefined || process.stdout.isTTY)) {
      // Someone is watching (or scraping): keep the final state up until they are done.
      process.off('SIGINT', onSigint);
      const until = flags.linger === undefined ? 'Ctrl-C to quit' : `for ${flags.linger} s (Ctrl-C to quit now)`;
      process.stdout.write(`the final state stays up at ${serving.join(' and ')} ${until}\n`);
      await (flags.linger === undefined ? untilCtrlC() : lingerFor(flags.linger));
    }
    return state.interrupted ? EXIT.interrupted : EXIT.ok;
  } catch (error) {
    stopDashboard();
    web?.finish(null, error instanceof Error ? error.message : String(error));
    if (state.interrupted) return EXIT.interrupted;
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    await web?.close();
    await metrics?.close();
  }
}

interface BenchFlags { objects: number; rounds: number; browserUrl?: string; json?: string; svg?: string; maxInFlight?: number[]; micro: boolean; microSizes?: number[]; only?: RegExp; quiet?: boolean; baseline?: string; crawl?: boolean; pages: number; tabs: number; products: number }

function writeFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

async function bench(flags: BenchFlags): Promise<number> {
  let launched: LaunchedChromium | null = null;
  const killBrowser = (): void => launched?.killNow();
  const announce = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal === 'SIGINT' ? 'interrupted' : signal}: stopping the benchmark and its browser\n`);
  };
  takeAlongOnExit(killBrowser, announce);
  process.once('SIGINT', () => {
    announce('SIGINT');
    killBrowser();
    process.exit(EXIT.interrupted);
  });
  const onLaunched = (chromium: LaunchedChromium): void => {
    launched = chromium;
  };
  const log = flags.quiet === true ? undefined : (line: string): void => void process.stderr.write(`${line}\n`);
  if (flags.crawl === true) {
    const crawled = await runCrawlBench({ pages: flags.pages, tabs: flags.tabs, products: flags.products, rounds: flags.rounds, browserUrl: flags.browserUrl, only: flags.only, log, onLaunched });
    process.stdout.write(`${formatCrawlReport(crawled)}\n`);
    if (flags.json !== undefined) writeFile(flags.json, `${JSON.stringify(crawled, null, 2)}\n`);
    return EXIT.ok;
  }
  const report = await runBench({
    onLaunched,
    objects: flags.objects,
    rounds: flags.rounds,
    browserUrl: flags.browserUrl,
    maxInFlight: flags.maxInFlight,
    baseline: flags.baseline,
    only: flags.only,
    skipMicro: !flags.micro,
    microSizes: flags.microSizes as [number, number] | undefined,
    microPending: flags.microSizes?.[1],
    log,
  });
  process.stdout.write(`${formatReport(report)}\n`);
  if (flags.json !== undefined) writeFile(flags.json, `${JSON.stringify(report, null, 2)}\n`);
  if (flags.svg !== undefined) {
    writeFile(flags.svg, await renderChart(report));
  }
  return EXIT.ok;
}

const intList = (name: string) => (value: string): number[] => {
  const parts = value.split(',').map((v) => v.trim());
  return parts.map((v) => positiveInt(name, 1_000_000)(v));
};

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('cdp-release')
    .description('Release Chrome DevTools Protocol remote objects in the background, in batches.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  let result: Promise<number> = Promise.resolve(EXIT.ok);
  program
    .command('demo')
    .description('crawl a generated shop in headless Chromium with a live dashboard, releasing every remote object (the main job)')
    .addOption(new Option('--pages <n>', 'product pages to crawl').default(40).argParser(positiveInt('--pages', 100_000)))
    .addOption(new Option('--tabs <n>', 'tabs crawling at once').default(4).argParser(positiveInt('--tabs', 64)))
    .addOption(new Option('--products <n>', 'products per page (remote objects per page ≈ products + 2)').default(200).argParser(positiveInt('--products', 10_000)))
    .option('--no-release', 'crawl the same way but never release: shows the leak')
    .addOption(new Option('--client <client>', 'cri: raw object ids over chrome-remote-interface; playwright: playwright-core ElementHandles, watched and released as they are (with --no-release the live count of watched handles per page shows the leak)').choices(['cri', 'playwright']).default('cri'))
    .addOption(new Option('--browser-url <ws-url>', 'use a running browser (ws://HOST:PORT/devtools/browser/ID) instead of launching Chromium').argParser(browserUrl))
    .option('--json <file>', 'also write the summary as JSON to FILE')
    .option('--heap-snapshots <dir>', 'also snapshot the first tab\'s heap before and after the crawl into DIR (DevTools format) and print what grew, by constructor, with what holds the largest objects')
    .addOption(new Option('--serve [port]', 'serve a live web dashboard on 127.0.0.1 (default port: any free one, printed at start); on a terminal it stays up after the crawl until Ctrl-C').argParser(portNumber('--serve')))
    .addOption(new Option('--metrics-port <port>', 'serve the run\'s metrics in the Prometheus text format at http://127.0.0.1:PORT/metrics (0: any free port, printed at start); on a terminal it stays up after the crawl until Ctrl-C').argParser(portNumber('--metrics-port')))
    .addOption(new Option('--linger <seconds>', 'with --serve or --metrics-port: keep serving the final state this long after the crawl, terminal or not (Ctrl-C ends it sooner)').argParser(seconds('--linger')))
    .addHelpText('after', '\nChromium: CHROME_PATH, else /usr/bin/chromium and the usual names (apt-get install -y chromium).\nExit codes: 0 success, 1 runtime failure, 2 bad usage, 130 interrupted.')
    .action((flags: DemoFlags) => {
      result = demo(flags);
    });
  program
    .command('bench')
    .description('measure releases per second against what users would write instead (serial, Promise.all, the design card, hand-tuned windows, a raw WebSocket), on one page of one browser')
    .addOption(new Option('--objects <n>', 'remote objects released per strategy and round').default(20_000).argParser(positiveInt('--objects', 10_000_000)))
    .addOption(new Option('--rounds <n>', 'rounds (strategies interleaved in each); medians are reported').default(3).argParser(positiveInt('--rounds', 1000)))
    .addOption(new Option('--browser-url <ws-url>', 'use a running browser (ws://HOST:PORT/devtools/browser/ID) instead of launching Chromium').argParser(browserUrl))
    .option('--json <file>', 'also write every figure as JSON to FILE')
    .option('--svg <file>', 'also write a bar chart of the results as SVG to FILE')
    .addOption(new Option('--max-in-flight <list>', 'also measure ReleaseBatcher with these maxInFlight values, e.g. 128,512').argParser(intList('--max-in-flight')))
    .option('--no-micro', 'skip the no-op transport measures (CPU per release at 200k and 1M, heap per pending release, idle cost)')
    .addOption(new Option('--micro-sizes <small,large>', 'backlog sizes of the no-op transport measures; the large one is also the pending count for heap per pending release').default([200_000, 1_000_000], '200000,1000000').argParser((value: string) => {
      const sizes = intList('--micro-sizes')(value);
      if (sizes.length !== 2 || (sizes[0] as number) >= (sizes[1] as number)) throw new InvalidArgumentError(`--micro-sizes takes two sizes, smaller first, got "${value}"`);
      return sizes;
    }))
    .addOption(new Option('--only <regex>', 'only the strategies whose "client: strategy" matches, e.g. "puppeteer" or "ReleaseBatcher|64 x 4"').argParser((value: string) => {
      try {
        return new RegExp(value, 'i');
      } catch {
        throw new InvalidArgumentError(`not a regular expression: "${value}"`);
      }
    }))
    .option('--baseline <entry>', 'also measure another build of the library side by side (its dist/cjs/index.js): old code against new, in the same rounds')
    .option('--crawl', 'instead: the demo\'s crawl, pages/s and the pages\' heap at the end, with release off, with the batcher, and with each client\'s own ways (awaiting each release, Promise.all per page), for chrome-remote-interface, puppeteer-core and playwright-core (--only matches "client: mode")')
    .addOption(new Option('--pages <n>', 'with --crawl: pages per crawl').default(24).argParser(positiveInt('--pages', 100_000)))
    .addOption(new Option('--tabs <n>', 'with --crawl: tabs crawling at once').default(4).argParser(positiveInt('--tabs', 64)))
    .addOption(new Option('--products <n>', 'with --crawl: products per page').default(100).argParser(positiveInt('--products', 10_000)))
    .option('--quiet', 'no progress lines on stderr')
    .addHelpText('after', '\nEach strategy gets fresh objects on the same page and a sample of them is checked gone afterwards.\nnpm run bench writes cli/bench/results/bench.json and bench.svg.\nExit codes: 0 success, 1 runtime failure, 2 bad usage, 130 interrupted.')
    .action((flags: BenchFlags) => {
      result = bench(flags);
    });
  program
    .command('soak')
    .description('long run (not in CI): the demo crawl for --minutes, sampling Node\'s heap and the pages\' heap, with a table and JSON')
    .addOption(new Option('--minutes <n>', 'how long to crawl').default(10).argParser(positiveInt('--minutes', 10_000)))
    .addOption(new Option('--every <seconds>', 'seconds between samples').default(30).argParser(positiveInt('--every', 3_600)))
    .addOption(new Option('--tabs <n>', 'tabs crawling at once').default(4).argParser(positiveInt('--tabs', 64)))
    .option('--json <file>', 'where the samples and the summary go', 'test-output/soak.json')
    .addOption(new Option('--metrics-port <port>', 'serve the run\'s metrics in the Prometheus text format at http://127.0.0.1:PORT/metrics meanwhile (0: any free port)').argParser(portNumber('--metrics-port')))
    .action((flags: SoakFlags) => {
      result = soak(flags).then(() => EXIT.ok);
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return EXIT.ok;
    return EXIT.usage; // commander has printed the message
  }
  if (program.args.length === 0 && argv.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  return result;
}

/** Runs `main` on this process's arguments and sets its exit code (the `cdp-release` bin). */
export function runCli(): void {
  void main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const message = error instanceof ChromiumLaunchError || error instanceof Error ? error.message : String(error);
      process.stderr.write(`cdp-release: error: ${message}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}

if (require.main === module) runCli();
