import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { map, merge, startWith, Subject, type Subscription } from 'rxjs';
import { releaseEvents, toServerSentEvents, type ReleaseEvent } from 'cdp-release-batcher/events';
import { DASHBOARD_HTML } from './dashboardPage.js';
import { EventFanOut } from './eventFanOut.js';
import { refuse, startLoopbackServer } from './requestGuard.js';
import type { DemoRun, DemoSummary } from './runDemo.js';
import type { CensusPage } from 'cdp-release-batcher';

/** Events the dashboard page reads, besides {@link releaseEvents}'s `stats` and `batches`. */
export type DashboardEvent =
  | { readonly type: 'hello'; readonly at: number; readonly pages: number; readonly tabs: number; readonly release: boolean }
  | { readonly type: 'heap'; readonly at: number; readonly bytes: number }
  /** The census: remote objects held now, and the ten pages holding most. */
  | { readonly type: 'census'; readonly at: number; readonly held: number; readonly pages: readonly CensusPage[] }
  | { readonly type: 'progress'; readonly at: number; readonly pagesDone: number; readonly pagesTotal: number; readonly objects: number }
  | { readonly type: 'end'; readonly at: number; readonly summary: DemoSummary | null; readonly error: string | null };

export interface DashboardServer {
  /** http://127.0.0.1:PORT/ */
  readonly url: string;
  /** Event streams open now. */
  readonly streams: number;
  /** Sends the final state (the demo's summary, or the error it ended with) to every page, now and later. */
  finish(summary: DemoSummary | null, error?: string): void;
  /** Ends every event stream and stops listening. Idempotent. */
  close(): Promise<void>;
}

/**
 * What the server holds for each page, so that no page — and no other web page pointing at it —
 * can grow the demo's memory or stop it.
 */
export interface DashboardLimits {
  /** Event streams open at once; a page beyond them gets `503` (its EventSource retries). */
  readonly maxClients: number;
  /** Bytes written to one event stream and not yet taken by its page; beyond them the page is dropped. */
  readonly maxBufferedBytes: number;
  /** Bytes of past frames a page that connects late is sent first (the latest ones, after `hello`). */
  readonly replayBytes: number;
}

/** 32 pages; 1 MiB waiting per page; 256 KiB of replay — a few minutes of a crawl's charts. */
export const DEFAULT_LIMITS: DashboardLimits = { maxClients: 32, maxBufferedBytes: 1 << 20, replayBytes: 256 << 10 };

/** Apache ECharts' browser build, as the `echarts` package ships it. */
function echartsBuild(): Buffer {
  return readFileSync(require.resolve('echarts/dist/echarts.min.js'));
}

/**
 * Serves the live dashboard of a demo run on loopback: the page (`/`), ECharts (`/echarts.min.js`) and a Server-Sent Events stream (`/events`) made with {@link releaseEvents} from
 * the run's batcher plus the pages' heap and the crawl's progress. A page that connects late first
 * gets `hello` and the latest frames ({@link DashboardLimits.replayBytes}). `port` 0 picks a free one.
 *
 * Only what a loopback dashboard needs is answered: `GET`/`HEAD` with a `Host` of `127.0.0.1:PORT` or
 * `localhost:PORT` (anything else is `403`: a page on another site, even one whose name was rebound to
 * 127.0.0.1, cannot read the stream), a request whose target is not a path is `400`, a handler that
 * throws answers `500` — none of it reaches the crawl ({@link startLoopbackServer}). Streams are capped and a
 * page that stops reading is dropped ({@link DashboardLimits}, {@link EventFanOut}).
 */
export async function startDashboardServer(run: DemoRun, port = 0, limits: DashboardLimits = DEFAULT_LIMITS): Promise<DashboardServer> {
  const started = Date.now();
  const now = (): number => Date.now() - started;
  const pages = new EventFanOut(limits);
  // `hello` first and `end` last; every event framed by the library's own toServerSentEvents.
  const control = new Subject<DashboardEvent>();
  const subscription: Subscription = merge(
    control,
    releaseEvents(run.batcher).pipe(map((e) => ({ ...e, at: now() }))),
    run.heap$.pipe(map((bytes): DashboardEvent => ({ type: 'heap', at: now(), bytes }))),
    run.census.snapshot$.pipe(map((c): DashboardEvent => ({ type: 'census', at: now(), held: c.held, pages: c.pages.slice(0, 10) }))),
    run.progress$.pipe(map((p): DashboardEvent => ({ type: 'progress', at: now(), ...p }))),
  ).pipe(
    startWith<DashboardEvent | ReleaseEvent>({ type: 'hello', at: 0, pages: run.options.pages, tabs: run.options.tabs, release: run.options.release }),
    toServerSentEvents(),
  ).subscribe((frame) => pages.send(frame));

  const http = await startLoopbackServer(port, (req, res, path) => route(req, res, path, pages, limits));

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${http.port}/`,
    get streams() {
      return pages.size;
    },
    finish(summary, error) {
      if (pages.ended) return;
      control.next({ type: 'end', at: now(), summary, error: error ?? null });
      subscription.unsubscribe();
      pages.end();
    },
    close() {
      if (closing === null) {
        subscription.unsubscribe();
        pages.end();
        closing = http.close();
      }
      return closing;
    },
  };
}

const PAGE = Buffer.from(DASHBOARD_HTML);
/** The files served besides the event stream. */
const FILES: Record<string, { type: string; body: () => Buffer }> = {
  '/': { type: 'text/html; charset=utf-8', body: () => PAGE },
  '/echarts.min.js': { type: 'text/javascript; charset=utf-8', body: echartsBuild },
};


/** One request: refused by the guard, the event stream, a file, or `404`. */
function route(req: IncomingMessage, res: ServerResponse, path: string, pages: EventFanOut, limits: DashboardLimits): void {
  if (path === '/events') {
    const headers = { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' };
    if (req.method === 'HEAD') {
      res.writeHead(200, headers).end();
      return;
    }
    if (!pages.ended && pages.size >= limits.maxClients) {
      refuse(res, { status: 503, text: `busy: ${limits.maxClients} dashboards are open already`, headers: { 'retry-after': '5' } });
      return;
    }
    res.writeHead(200, headers);
    pages.attach(res, req);
    return;
  }
  const file = FILES[path];
  if (file === undefined) {
    refuse(res, { status: 404, text: 'not found' });
    return;
  }
  res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body());
}
