/**
 * `cdp-release soak` (not in CI): the demo's crawler releasing through one batcher for `--minutes`
 * (default 10), sampling every `--every` seconds the heap of Node (after a full GC) and the pages' V8
 * heap (the demo's sampler), then the demo's own before/after measurement. Prints a table and writes JSON.
 *
 * With `--metrics-port N` the run's metrics are served for Prometheus meanwhile (as `demo` does).
 *
 *   npm run soak -- [--minutes 10] [--every 30] [--tabs 4] [--json FILE] [--metrics-port N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exposeGc } from './bench/gc.js';
import { startMetricsServer } from './demo/metricsServer.js';
import { DemoRun } from './demo/runDemo.js';
import { takeAlongOnExit } from './exitPaths.js';

/** Options of {@link soak}, as the command line parses them. */
export interface SoakFlags { minutes: number; every: number; tabs: number; json: string; metricsPort?: number }

interface Sample { minute: number; pagesDone: number; objects: number; released: number; pending: number; inFlight: number; nodeHeapBytes: number; nodeRssBytes: number; pagesHeapBytes: number }

/** Runs the soak; resolves when the crawl has ended and the JSON is written. */
export async function soak(flags: SoakFlags): Promise<void> {
  const { minutes, tabs, json } = flags;
  const everyMs = flags.every * 1000;
  const gc = exposeGc();
  // Enough pages for any run length (the crawler queues their numbers: ~8 MB of Node heap, constant).
  const run = new DemoRun({ pages: 1_000_000, tabs, products: 200, release: true });
  const samples: Sample[] = [];
  let pagesHeap = 0;
  let progress = { pagesDone: 0, objects: 0 };
  run.heap$.subscribe((b) => (pagesHeap = b));
  run.progress$.subscribe((p) => (progress = p));
  const started = Date.now();
  const sample = (): void => {
    if (process.env.SOAK_NO_GC === undefined) gc();
    const s = run.batcher.stats;
    const m = process.memoryUsage();
    const row: Sample = { minute: +((Date.now() - started) / 60_000).toFixed(2), pagesDone: progress.pagesDone, objects: progress.objects, released: s.released, pending: s.pending, inFlight: s.inFlight, nodeHeapBytes: m.heapUsed, nodeRssBytes: m.rss, pagesHeapBytes: pagesHeap };
    samples.push(row);
    const mb = (b: number): string => (b / 1048576).toFixed(2).padStart(8);
    console.log(`${row.minute.toFixed(1).padStart(6)} min  pages ${String(row.pagesDone).padStart(7)}  released ${String(row.released).padStart(10)}  pending ${String(row.pending).padStart(5)}  node heap ${mb(row.nodeHeapBytes)} MB  rss ${mb(row.nodeRssBytes)} MB  pages' heap ${mb(row.pagesHeapBytes)} MB`);
  };
  const timer = setInterval(sample, everyMs);
  const stop = setTimeout(() => run.interrupt(), minutes * 60_000);
  process.once('SIGINT', () => run.interrupt());
  takeAlongOnExit(() => run.killBrowserNow());
  const metrics = flags.metricsPort === undefined ? null : await startMetricsServer(run, flags.metricsPort);
  if (metrics !== null) console.log(`metrics (Prometheus): ${metrics.url}`);
  try {
    const summary = await run.run();
    sample();
    const result = { minutes, tabs, summary, samples };
    mkdirSync(dirname(json), { recursive: true });
    writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
    const first = samples[0];
    const last = samples.at(-2) ?? samples.at(-1);
    console.log(`\n${summary.pages} pages, ${summary.objects} remote objects, released ${summary.stats.released}, gone ${summary.stats.gone}, failed ${summary.stats.failed}, timed out ${summary.stats.timedOut}, dropped ${summary.stats.dropped}`);
    console.log(`pages' V8 heap after GC: ${summary.heap.beforeBytes} before, ${summary.heap.afterBytes} after: ${summary.heap.verdict.text}`);
    if (first !== undefined && last !== undefined) console.log(`Node heap after GC: ${first.nodeHeapBytes} at the first sample, ${last.nodeHeapBytes} at the last one during the crawl`);
  } finally {
    clearInterval(timer);
    clearTimeout(stop);
    await metrics?.close();
  }
}

