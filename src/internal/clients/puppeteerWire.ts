import type { CdpTarget } from '../../target.js';
import { processWide } from '../processState.js';
import { PendingCalls, WireError, type DirectSend } from './directWire.js';

/**
 * Releases written on a puppeteer-core session's connection without the session's per-command
 * machinery.
 *
 * Why: puppeteer-core's `CDPSession.send` makes, per command, a callback record with an `Error` (for
 * an async stack trace), a `Deferred`, and a `protocolTimeout` timer, and keeps it in a map until the
 * answer. A release needs none of it: the lane has its own timeout, and its outcome is read from
 * Chrome's answer alone. Here each release costs the frame written and the answer parsed — what
 * puppeteer-core does for any message — and one entry in a map of the library's own.
 *
 * Relies on these internals of puppeteer-core 24, on the one session instance only (a session
 * without them is sent to through its own `send`):
 * - `session.connection()` (public) and `session.id()` (public);
 * - `connection._rawSend(callbacks, method, params, sessionId)`: it asks `callbacks.create(label,
 *   timeout, request)` for the command, and `request(id)` writes the frame under that id;
 * - the connection hands every message of the session to `session.onMessage(message)`, looked up on
 *   the instance: it is wrapped there, and answers to the library's ids are taken off first;
 * - `session.onClosed()`, called when the session detaches or the connection closes.
 * The handle still ends disposed as puppeteer-core sees it (see `puppeteer.ts`).
 * @internal
 */

interface PuppeteerConnection {
  _rawSend(callbacks: { create(label: string, timeout: unknown, request: (id: number) => void): Promise<unknown> }, method: string, params: object, sessionId: string): Promise<unknown>;
}

interface PuppeteerSession {
  connection(): PuppeteerConnection | undefined;
  id(): string;
  onMessage(message: unknown): void;
  onClosed(): void;
}

const CLOSED = 'Target closed';

/** Each session's wire, made at its first release. */
const wires = processWide('puppeteer-wire@1', () => new WeakMap<object, DirectSend | null>());

function isPuppeteerSession(value: unknown): value is PuppeteerSession {
  const session = value as Partial<Record<keyof PuppeteerSession, unknown>> | null;
  return typeof value === 'object' && value !== null && typeof session?.connection === 'function' && typeof session.id === 'function'
    && typeof session.onMessage === 'function' && typeof session.onClosed === 'function';
}

function wireOf(session: PuppeteerSession): DirectSend | null {
  const connection = session.connection();
  const sessionId = session.id();
  if (typeof connection?._rawSend !== 'function' || typeof sessionId !== 'string' || sessionId === '') return null;
  const calls = new PendingCalls();
  const onMessage = session.onMessage; // eslint-disable-line @typescript-eslint/unbound-method -- called with the session as `this`
  const onClosed = session.onClosed; // eslint-disable-line @typescript-eslint/unbound-method -- called with the session as `this`
  session.onMessage = function answerOrPass(this: PuppeteerSession, message: unknown): void {
    if (!calls.answer(message)) onMessage.call(this, message);
  };
  session.onClosed = function endThenClose(this: PuppeteerSession): void {
    calls.end(new WireError(CLOSED));
    onClosed.call(this);
  };
  return (method, params) => calls.call((id) => {
    void connection._rawSend({ create: (_label, _timeout, request) => {
      request(id);
      return Promise.resolve();
    } }, method, params, sessionId).catch(() => calls.end(new WireError(CLOSED))); // rejected only when the connection has closed
  });
}

/**
 * A send on the connection of `target` — a puppeteer-core `CDPSession` — without its per-command
 * machinery, or null when it is not one this file knows. Never throws.
 * @internal
 */
export function puppeteerDirectSend(target: CdpTarget): DirectSend | null {
  try {
    if (!isPuppeteerSession(target)) return null;
    let send = wires.get(target);
    if (send === undefined) {
      send = wireOf(target);
      wires.set(target, send);
    }
    return send;
  } catch {
    return null;
  }
}
