import type { IncomingMessage } from 'node:http';

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
