/**
 * The census's loopback CDP relay: a DevTools endpoint in front of a browser's, for any client that
 * connects by URL. It serves `/json/version` (and `/json/list`) as Chrome does, with the relay's own
 * WebSocket URLs, and forwards every socket to the same path on the browser, frame for frame.
 *
 * - Frames are forwarded as the `Buffer` `ws` delivers them; the census reads them in place and
 *   decodes one only when it matters (see `wire.ts`).
 * - Back-pressure: when one side's socket has more than {@link HIGH_WATER} bytes queued, the other
 *   side is paused until it drains below {@link LOW_WATER}.
 * - Either side closing closes the other (a code that may not be sent becomes 1000), an error on one
 *   side terminates both, and each socket pair is independent of the others.
 * - Like Chrome, the HTTP side answers only `GET`, only with a loopback or IP `Host` header (against
 *   DNS rebinding), and 404 for paths it does not serve.
 *
 * `ws` is an optional peer dependency, loaded when the first relay starts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type * as WsModule from 'ws';
import type { CensusRelay } from '../../censusSnapshot.js';
import type { ConnectionTally } from './tally.js';
import { rootTargetOf, WireConnection, type WireHooks } from './wire.js';


const HIGH_WATER = 16 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
// Chrome's own limit on a DevTools message is 256 MiB.
const MAX_PAYLOAD = 256 * 1024 * 1024;

type Ws = WsModule.WebSocket;

async function loadWs(): Promise<typeof WsModule> {
  try {
    // `require` where the package runs as CommonJS (it is module-scoped there), `import()` as ESM.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = (typeof require === 'function' ? require('ws') : await import('ws')) as Partial<typeof WsModule> & { default?: typeof WsModule };
    return (loaded.WebSocketServer === undefined ? loaded.default : loaded) as typeof WsModule;
  } catch (error) {
    throw new Error(`census.relay needs the optional peer dependency "ws" (npm install ws): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** The browser's HTTP base and browser WebSocket URL, from `ws://…/devtools/browser/…` or `http://host:port`. */
async function resolveUpstream(upstream: string): Promise<{ http: string; browserWs: string }> {
  let url: URL;
  try {
    url = new URL(upstream);
  } catch {
    throw new TypeError(`census.relay: upstream must be a ws:// or http:// URL of a browser, got ${JSON.stringify(upstream)}`);
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    return { http: `${url.protocol === 'wss:' ? 'https' : 'http'}://${url.host}`, browserWs: url.href };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`census.relay: upstream must be a ws:// or http:// URL, got ${url.protocol}`);
  const http = `${url.protocol}//${url.host}`;
  const version = await fetch(`${http}/json/version`).then((r) => r.json()) as { webSocketDebuggerUrl?: unknown };
  if (typeof version.webSocketDebuggerUrl !== 'string') throw new Error(`census.relay: ${http}/json/version names no webSocketDebuggerUrl`);
  return { http, browserWs: version.webSocketDebuggerUrl };
}

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|\d+\.\d+\.\d+\.\d+)(:\d+)?$/i;

/** Starts a relay in front of `upstream`; each socket through it is observed with a fresh tally. */
export async function startRelay(upstream: string, connection: (rootTargetId: string) => ConnectionTally, hooks: WireHooks): Promise<CensusRelay> {
  const ws = await loadWs();
  const { http, browserWs } = await resolveUpstream(upstream);
  const upstreamWs = new URL(browserWs);
  const pairs = new Set<{ client: Ws; browser: Ws }>();
  const sockets = new Set<Duplex>();
  const wss = new ws.WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_PAYLOAD });
  const server: Server = createServer((request, response) => void serveHttp(request, response));
  let port = 0;
  const ownWs = (path: string): string => `ws://127.0.0.1:${port}${path}`;

  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = { ...value as Record<string, unknown> };
    const wsUrl = out['webSocketDebuggerUrl'];
    if (typeof wsUrl === 'string') {
      try {
        out['webSocketDebuggerUrl'] = ownWs(new URL(wsUrl).pathname);
      } catch {
        delete out['webSocketDebuggerUrl'];
      }
    }
    delete out['devtoolsFrontendUrl'];
    return out;
  };

  async function serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, body: string, type = 'text/plain'): void => {
      if (response.headersSent) return;
      response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      response.end(body);
    };
    if (!LOOPBACK_HOST.test(request.headers.host ?? '')) return send(500, 'Host header is specified and is not an IP address or localhost.');
    if (request.method !== 'GET') return send(405, 'Only GET is served by the relay.');
    const path = (request.url ?? '/').split('?')[0]?.replace(/\/+$/, '') ?? '';
    if (path !== '/json/version' && path !== '/json/list' && path !== '/json') return send(404, `Unknown path ${path}`);
    try {
      const answer = await fetch(`${http}${path}`).then((r) => r.json()) as unknown;
      send(200, JSON.stringify(rewrite(answer), null, 2), 'application/json; charset=UTF-8');
    } catch (error) {
      send(502, `The browser did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (!LOOPBACK_HOST.test(request.headers.host ?? '') || !path.startsWith('/devtools/')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (client) => pair(client, path));
  });

  function pair(client: Ws, path: string): void {
    const target = new URL(path, upstreamWs);
    target.protocol = upstreamWs.protocol;
    const browser = new ws.WebSocket(target.href, { perMessageDeflate: false, maxPayload: MAX_PAYLOAD });
    const entry = { client, browser };
    pairs.add(entry);
    const wire = new WireConnection(connection(rootTargetOf(path)), (text) => browser.send(text), hooks);
    const early: Array<{ data: Buffer; binary: boolean }> = [];
    let ended = false;
    const end = (code: number | undefined, reason: Buffer | undefined, abrupt: boolean): void => {
      if (ended) return;
      ended = true;
      pairs.delete(entry);
      wire.closed();
      for (const side of [client, browser]) {
        if (abrupt || side.readyState === side.CONNECTING) side.terminate();
        else if (side.readyState === side.OPEN) side.close(sendable(code), reason);
      }
    };
    // A frame is sent with a callback only from the moment the other side is over its high-water
    // mark until it drained: each such frame's callback (the frame written out) resumes the paused
    // side once the buffer is low again — the last one always sees it low.
    const forward = (to: Ws, from: Ws, data: Buffer, binary: boolean): void => {
      if (to.readyState !== to.OPEN) return;
      if (to.bufferedAmount <= HIGH_WATER && !from.isPaused) {
        to.send(data, { binary });
        return;
      }
      if (!from.isPaused) from.pause();
      to.send(data, { binary }, () => {
        if (from.isPaused && to.bufferedAmount <= LOW_WATER) from.resume();
      });
    };
    client.on('message', (data: Buffer, binary: boolean) => {
      if (!binary) wire.outgoing(data);
      if (browser.readyState === browser.OPEN) forward(browser, client, data, binary);
      else early.push({ data, binary });
    });
    browser.on('open', () => {
      for (const { data, binary } of early.splice(0)) forward(browser, client, data, binary);
    });
    browser.on('message', (data: Buffer, binary: boolean) => {
      if (binary || wire.incoming(data)) forward(client, browser, data, binary);
    });
    client.on('close', (code, reason) => end(code, reason, false));
    browser.on('close', (code, reason) => end(code, reason, false));
    client.on('error', () => end(undefined, undefined, true));
    browser.on('error', () => end(undefined, undefined, true));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    endpoint: ownWs(upstreamWs.pathname),
    browserURL: `http://127.0.0.1:${port}`,
    get connections() {
      return pairs.size;
    },
    close: () => closing ??= new Promise<void>((resolve) => {
      for (const { client, browser } of [...pairs]) {
        client.terminate();
        browser.terminate();
      }
      wss.close();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}

/** A close code that may be sent on the wire (1005, 1006 and 1015 are only ever reported). */
function sendable(code: number | undefined): number {
  if (code === undefined || code === 1005 || code === 1006 || code === 1015 || code < 1000 || code >= 5000) return 1000;
  return code;
}
