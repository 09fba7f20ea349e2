import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { map, merge, startWith, Subject, type Subscription } from 'rxjs';
import { releaseEvents, toServerSentEvents, type ReleaseEvent } from 'cdp-release-batcher';
import { DASHBOARD_HTML } from './dashboardPage.js';
import type { DemoRun, DemoSummary } from './runDemo.js';

/** Events the dashboard page reads, besides {@link releaseEvents}'s `stats` and `batches`. */
export type DashboardEvent =
  | { readonly type: 'hello'; readonly at: number; readonly pages: number; readonly tabs: number; readonly release: boolean }
  | { readonly type: 'heap'; readonly at: number; readonly bytes: number }
  | { readonly type: 'progress'; readonly at: number; readonly pagesDone: number; readonly pagesTotal: number; readonly objects: number }
  | { readonly type: 'end'; readonly at: number; readonly summary: DemoSummary | null; readonly error: string | null };

export interface DashboardServer {
  /** http://127.0.0.1:PORT/ */
  readonly url: string;
  /** Sends the final state (the demo's summary, or the error it ended with) to every page, now and later. */
  finish(summary: DemoSummary | null, error?: string): void;
  /** Ends every event stream and stops listening. Idempotent. */
  close(): Promise<void>;
}

/** Frames kept for pages that connect late, so they draw the whole run: about 20 minutes of it. */
const HISTORY_LIMIT = 20_000;

/** Apache ECharts' browser build, as the `echarts` package ships it. */
function echartsBuild(): Buffer {
  return readFileSync(require.resolve('echarts/dist/echarts.min.js'));
}

/**
 * Serves the live dashboard of a demo run on loopback: the page (`/`), ECharts (`/echarts.min.js`) and a Server-Sent Events stream (`/events`) made with {@link releaseEvents} from
 * the run's batcher plus the pages' heap and the crawl's progress. A page that connects late first
 * gets everything sent so far. `port` 0 picks a free one.
 */
export async function startDashboardServer(run: DemoRun, port = 0): Promise<DashboardServer> {
  const started = Date.now();
  const now = (): number => Date.now() - started;
  const history: string[] = [];
  const clients = new Set<ServerResponse>();
  let ended = false;
  const send = (frame: string): void => {
    history.push(frame);
    if (history.length > HISTORY_LIMIT) history.splice(1, history.length - HISTORY_LIMIT); // keep `hello`
    for (const client of clients) client.write(frame);
  };
  // `hello` first and `end` last; every event framed by the library's own toServerSentEvents.
  const control = new Subject<DashboardEvent>();
  const subscription: Subscription = merge(
    control,
    releaseEvents(run.batcher).pipe(map((e) => ({ ...e, at: now() }))),
    run.heap$.pipe(map((bytes): DashboardEvent => ({ type: 'heap', at: now(), bytes }))),
    run.progress$.pipe(map((p): DashboardEvent => ({ type: 'progress', at: now(), ...p }))),
  ).pipe(
    startWith<DashboardEvent | ReleaseEvent>({ type: 'hello', at: 0, pages: run.options.pages, tabs: run.options.tabs, release: run.options.release }),
    toServerSentEvents(),
  ).subscribe(send);

  const page = Buffer.from(DASHBOARD_HTML);
  const files: Record<string, { type: string; body: () => Buffer }> = {
    '/': { type: 'text/html; charset=utf-8', body: () => page },
    '/echarts.min.js': { type: 'text/javascript; charset=utf-8', body: echartsBuild },
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(history.join(''));
      if (ended) {
        res.end();
        return;
      }
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    const file = files[path];
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    finish(summary, error) {
      if (ended) return;
      control.next({ type: 'end', at: now(), summary, error: error ?? null });
      subscription.unsubscribe();
      ended = true;
      // The final state is sent: end the streams, so pages stop listening instead of reconnecting.
      for (const client of clients) client.end();
      clients.clear();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        subscription.unsubscribe();
        for (const client of clients) client.end();
        clients.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
