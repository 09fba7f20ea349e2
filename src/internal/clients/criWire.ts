import type { CdpTarget } from '../../target.js';
import { processWide } from '../processState.js';
import { PendingCalls, WireError, type DirectSend } from './directWire.js';

/**
 * Releases written straight onto a chrome-remote-interface client's WebSocket.
 *
 * Why: the client keeps every outstanding command's callback in one object and enumerates it on each
 * answer (`Object.keys(this._callbacks)` in `_handleMessage`), so its cost per answer grows with the
 * commands outstanding — the reason a window over it had to stay small, and a burst over it slow.
 * Releases written here never enter that object: each costs one frame out and one answer in.
 *
 * Relies on these internals of chrome-remote-interface 0.34 (`lib/chrome.js`), on the one client
 * instance only:
 * - `_ws`, its `ws` WebSocket: `send(text)` writes one frame, `readyState` 1 while open;
 * - `_handleMessage(message)`, called with each parsed message from the socket, looked up on the
 *   instance every time: it is wrapped there, and answers to the library's ids are taken off first;
 * - the `disconnect` event when the socket closes.
 * A client without them is sent to through its own `send`.
 *
 * The census, when it observes the same client, is told of every release written here and of its
 * answer ({@link tapCriWire}), so its count of held objects stays true.
 * @internal
 */

interface CriInternals {
  _ws?: { send(text: string): void; readonly readyState?: number } | null;
  _handleMessage(message: unknown): void;
  on(event: string, listener: () => void): unknown;
}

/** What the census learns of the releases written on a client's wire. @internal */
export interface CriWireTap {
  /** Release `id` is being written, on `sessionId` (`''`: the client's own target). */
  sent(id: number, method: string, params: object, sessionId: string): void;
  /** Its answer, as parsed off the socket (before the call settles). */
  answered(message: unknown): void;
}

const OPEN = 1;
const CLOSED = 'WebSocket connection closed';

/** Each client's wire, made at its first release; the census's tap on a client. */
const state = processWide('cri-wire@1', () => ({ wires: new WeakMap<object, PendingCalls>(), taps: new WeakMap<object, CriWireTap>() }));

/** The census observing `client` hears of the releases written on its wire. @internal */
export function tapCriWire(client: object, tap: CriWireTap): void {
  state.taps.set(client, tap);
}

function isCriClient(value: unknown): value is CriInternals {
  const client = value as Partial<CriInternals> | null;
  return typeof value === 'object' && value !== null && typeof client?._handleMessage === 'function' && typeof client.on === 'function'
    && typeof client._ws === 'object' && client._ws !== null && typeof client._ws.send === 'function';
}

function wireOf(client: CriInternals): PendingCalls {
  const known = state.wires.get(client);
  if (known !== undefined) return known;
  const calls = new PendingCalls();
  const handle = client._handleMessage; // eslint-disable-line @typescript-eslint/unbound-method -- called with the client as `this`
  client._handleMessage = function answerOrPass(this: CriInternals, message: unknown): void {
    // The census counts the answer before its call settles (a no-op when its own hook already did).
    if (!calls.answer(message, () => state.taps.get(client)?.answered(message))) handle.call(this, message);
  };
  client.on('disconnect', () => calls.end(new WireError(CLOSED)));
  state.wires.set(client, calls); // only once its answers can be taken off (a frozen client throws above: no wire)
  return calls;
}

/**
 * A send straight onto the wire of `target` — a chrome-remote-interface client, or a `criSession()`
 * over one — or null when it is neither. Never throws.
 * @internal
 */
export function criDirectSend(target: CdpTarget): DirectSend | null {
  try {
    const session = target as { client?: unknown; sessionId?: unknown };
    const own = isCriClient(target);
    const client: unknown = own ? target : session.client;
    if (!isCriClient(client)) return null;
    const sessionId = own ? '' : session.sessionId;
    if (typeof sessionId !== 'string') return null;
    const wire = wireOf(client);
    return (method, params) => wire.call((id) => {
      const ws = client._ws;
      if (ws === null || ws === undefined || ws.readyState !== OPEN) throw new WireError(CLOSED); // `ws` would drop it silently
      ws.send(JSON.stringify(sessionId === '' ? { id, method, params } : { id, method, sessionId, params }));
      state.taps.get(client)?.sent(id, method, params, sessionId);
    });
  } catch {
    return null;
  }
}
