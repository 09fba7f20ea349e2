import { combineLatest, type Subscription } from 'rxjs';
import type { DemoRun } from './demo/runDemo.js';
import type { CensusSnapshot, ReleaseStats } from 'cdp-release-batcher';
import type { CrawlProgress } from './demo/crawl.js';

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const n = (x: number): string => x.toLocaleString('en-US');

/** Settled releases per second, from successive snapshots. */
class RateMeter {
  readonly history: number[] = [];
  #last = { settled: 0, at: performance.now() };

  sample(stats: ReleaseStats): number {
    const settled = stats.released + stats.gone + stats.failed + stats.timedOut;
    const now = performance.now();
    const rate = ((settled - this.#last.settled) * 1000) / Math.max(1, now - this.#last.at);
    this.#last = { settled, at: now };
    this.history.push(rate);
    if (this.history.length > 40) this.history.shift();
    return rate;
  }
}

/**
 * The leak net's live view, when anything is watched: watched client handles not yet disposed, and
 * the three pages holding most of them. A count that only grows is a leak.
 */
function watchedLines(stats: ReleaseStats, warn: (text: string) => string): string[] {
  if (stats.watched === 0 && stats.leaked === 0) return [];
  const pages = stats.watchedByPage.slice(0, 3).map((p) => `${p.url || '(page unknown)'} ${n(p.watched)}`);
  return [`watched  ${warn(`${n(stats.watched)} handles not yet disposed`)}  leaked ${n(stats.leaked)}${pages.length > 0 ? `  top: ${pages.join(', ')}` : ''}`];
}

/** The census's live view: remote objects the inspector holds, and the three pages holding most. */
function censusLine(census: CensusSnapshot): string {
  const pages = census.pages.slice(0, 3).filter((p) => p.held > 0).map((p) => `${p.url || p.targetId.slice(0, 8)} ${n(p.held)}`);
  return `held     ${n(census.held)} remote objects held by the inspector${pages.length > 0 ? `  top: ${pages.join(', ')}` : ''}`;
}

/** A text bar of `width` cells. */
function bar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/**
 * The live view of a demo run, fed by `stats$` (plus the crawl's progress and the tabs' heap).
 * On a TTY it redraws in place (log-update, chalk, sparkly); elsewhere it prints one plain status
 * line every few seconds.
 */
export async function startDashboard(run: DemoRun, out: NodeJS.WriteStream): Promise<() => void> {
  let stats: ReleaseStats = run.batcher.stats;
  let progress: CrawlProgress = { pagesDone: 0, pagesTotal: run.options.pages, objects: 0 };
  let heap = 0;
  let census: CensusSnapshot = run.census.snapshot();
  const subscription: Subscription = combineLatest([run.batcher.stats$, run.progress$, run.heap$, run.census.snapshot$]).subscribe(([s, p, h, c]) => {
    stats = s;
    progress = p;
    heap = h;
    census = c;
  });
  const meter = new RateMeter();

  if (!out.isTTY) {
    const line = (): void => {
      const rate = meter.sample(stats);
      out.write(`pages ${progress.pagesDone}/${progress.pagesTotal} objects ${progress.objects} released ${stats.released} gone ${stats.gone} failed ${stats.failed} timedOut ${stats.timedOut} dropped ${stats.dropped} pending ${stats.pending} inFlight ${stats.inFlight} watched ${stats.watched} held ${census.held} rate ${Math.round(rate)}/s heap ${mb(heap)}\n`);
    };
    const timer = setInterval(line, 2_000);
    return () => {
      clearInterval(timer);
      subscription.unsubscribe();
    };
  }

  // ESM-only rendering libraries, loaded when a terminal is there to draw on.
  const [{ createLogUpdate }, { default: chalk }, { default: sparkly }] = await Promise.all([import('log-update'), import('chalk'), import('sparkly')]);
  const draw = createLogUpdate(out);
  const render = (): void => {
    const rate = meter.sample(stats);
    const mode = run.options.release ? chalk.green('release on') : chalk.red('--no-release: nothing is released');
    draw([
      chalk.bold(`cdp-release demo`) + `  ${mode}`,
      `pages    ${chalk.cyan(bar(progress.pagesDone, progress.pagesTotal))} ${progress.pagesDone}/${progress.pagesTotal}`,
      `objects  ${n(progress.objects)} created`,
      `outcome  ${chalk.green(`released ${n(stats.released)}`)}  gone ${n(stats.gone)}  ${chalk.red(`failed ${n(stats.failed)}`)}  ${chalk.yellow(`timed out ${n(stats.timedOut)}`)}  dropped ${n(stats.dropped)}`,
      `queue    pending ${n(stats.pending)}  in flight ${n(stats.inFlight)}  batches ${n(stats.batches)}`,
      ...watchedLines(stats, (text) => chalk.yellow(text)),
      censusLine(census),
      `rate     ${n(Math.round(rate)).padStart(7)} releases/s  ${chalk.cyan(sparkly(meter.history.map((r) => Math.round(r)), { minimum: 0 }))}`,
      `heap     ${mb(heap)} (the tabs' V8 heap)`,
    ].join('\n'));
  };
  render();
  const timer = setInterval(render, 250);
  return () => {
    clearInterval(timer);
    render();
    draw.done();
    subscription.unsubscribe();
  };
}
