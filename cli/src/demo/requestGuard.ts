import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Why a request is refused: the status, a one-line reason, and any headers the status needs. */
export interface Refusal {
  readonly status: number;
  readonly text: string;
  readonly headers?: Record<string, string>;
}

/**
 * What a loopback dashboard answers at all: `GET` / `HEAD` whose `Host` is one of `hosts` (anything
 * else is `403`: a page on another site, even one whose name was rebound to 127.0.0.1, cannot read
 * it), for a target that is a path (else `400`). Returns the path, or why the request is refused.
 */
export function guardRequest(req: IncomingMessage, hosts: ReadonlySet<string>): { readonly path: string } | Refusal {
  if (!hosts.has((req.headers.host ?? '').toLowerCase())) {
    return { status: 403, text: 'forbidden: this dashboard answers only to 127.0.0.1 and localhost on its own port' };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, text: 'method not allowed', headers: { allow: 'GET, HEAD' } };
  const target = req.url ?? '';
  try {
    if (!target.startsWith('/')) throw new TypeError('not a path');
    return { path: new URL(target, 'http://localhost').pathname };
  } catch {
    return { status: 400, text: 'bad request: the target is not a path' };
  }
}

/** Answers a refused request: its status, headers and one line of text. */
export function refuse(res: ServerResponse, { status, text, headers }: Refusal): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(`${text}\n`);
}

/** An HTTP server listening on loopback whose every request passed {@link guardRequest}. */
export interface LoopbackServer {
  readonly port: number;
  /** Stops listening and ends every connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Listens on `127.0.0.1:port` (0: any free one) and hands `handle` only the requests
 * {@link guardRequest} lets through, with their path; the rest are refused. A handler that throws
 * answers `500` (or ends the response it had begun): whatever went wrong stays with that request.
 */
export async function startLoopbackServer(port: number, handle: (req: IncomingMessage, res: ServerResponse, path: string) => void): Promise<LoopbackServer> {
  let hosts = new Set<string>();
  const server = createServer((req, res) => {
    try {
      const guarded = guardRequest(req, hosts);
      if ('path' in guarded) handle(req, res, guarded.path);
      else refuse(res, guarded);
    } catch {
      if (!res.headersSent) refuse(res, { status: 500, text: 'internal error' });
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  hosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`]);
  let closing: Promise<void> | null = null;
  return {
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
