/**
 * The census on a chrome-remote-interface client: it sees every command the client sends and every
 * message it receives, in the order the client handles them.
 *
 * Relies on these internals of chrome-remote-interface 0.34 (`lib/chrome.js`), patched on the one
 * client instance only:
 * - `_enqueueCommand(method, params, sessionId, callback)` sends every command, `client.send` and the
 *   domain methods alike, under the id `_nextCommandId` (then incremented);
 * - `_handleMessage(message)` is called with each parsed message from the socket, answers and events;
 * - `webSocketUrl` is the URL it connected to (`/devtools/page/<targetId>` for a page);
 * - the `disconnect` event fires when its socket closes.
 * Hooking the message handler, not the promise `send` returns, keeps the order of the wire: an
 * answer is counted before a `Runtime.executionContextsCleared` that follows it on the socket.
 */
import type { CdpTarget } from '../../target.js';
import { criSession, type CriClient } from '../../criSession.js';
import { record, type ConnectionTally } from './tally.js';
import { rootTargetOf, type OwnTarget, type WireHooks } from './wire.js';
import { tapCriWire } from '../clients/index.js';

interface CriInternals {
  _enqueueCommand: (this: CriInternals, method: string, params: unknown, sessionId: string | undefined, callback: unknown) => void;
  _handleMessage: (this: CriInternals, message: unknown) => void;
  _nextCommandId: number;
  webSocketUrl?: string;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  send(method: string, params?: object, sessionId?: string): Promise<unknown>;
}

/** True when `value` has the internals the observer hooks. */
export function isCriClient(value: unknown): boolean {
  const client = value as Partial<CriInternals> | null;
  return typeof value === 'object' && value !== null && typeof client?._enqueueCommand === 'function'
    && typeof client._handleMessage === 'function' && typeof client._nextCommandId === 'number' && typeof client.on === 'function';
}

/** Hooks `client` (once per client); `connection` is its tally. */
export function observeCriClient(client: object, connection: (rootTargetId: string) => ConnectionTally, hooks: WireHooks): void {
  const cri = client as CriInternals;
  const root = rootTargetOf(cri.webSocketUrl);
  const tally = connection(root);
  const enqueue = cri._enqueueCommand;
  const handle = cri._handleMessage;
  cri._enqueueCommand = function (this: CriInternals, method, params, sessionId, callback) {
    tally.sent(cri._nextCommandId, { method, params: record(params), sessionId: sessionId ?? '' });
    enqueue.call(this, method, params, sessionId, callback);
  };
  const answered = (message: Record<string, unknown>, id: number): void => {
    const command = tally.take(id); // undefined when already counted: the wire's tap and this hook both see the library's own answers
    if (command !== undefined) tally.answered(command, message['error'] === undefined ? (message['result'] ?? {}) : undefined);
  };
  // The releases a batcher writes on this client's wire itself, around `_enqueueCommand`.
  tapCriWire(cri, {
    sent: (id, method, params, sessionId) => tally.sent(id, { method, params: record(params), sessionId }),
    answered: (raw) => {
      const message = record(raw);
      if (typeof message['id'] === 'number') answered(message, message['id']);
    },
  });
  cri._handleMessage = function (this: CriInternals, raw) {
    try {
      const message = record(raw);
      const id = message['id'];
      if (typeof id === 'number') {
        answered(message, id);
      } else if (typeof message['method'] === 'string') {
        const sessionId = typeof message['sessionId'] === 'string' ? message['sessionId'] : '';
        const consoleIds = tally.event(message['method'], record(message['params']), sessionId);
        if (consoleIds.length > 0) hooks.consoleArguments?.(ownTarget(cri, sessionId), consoleIds);
      }
    } catch {
      // The client's own handling goes on whatever the census made of the message.
    }
    handle.call(this, raw);
  };
  cri.on('disconnect', () => tally.closed());
  // The page's url, when the client is on a page: the census asks once, as any client may.
  if (root !== '(browser)') {
    tally.session('');
    cri.send('Target.getTargetInfo').then((answer) => {
      const url = record(record(answer)['targetInfo'])['url'];
      if (typeof url === 'string') tally.setRootUrl(url);
    }, () => undefined);
  }
}

/** The census's target for its own commands on a session of `client`. */
function ownTarget(client: CriInternals, sessionId: string): OwnTarget {
  const target: CdpTarget = sessionId === '' ? client : criSession(client as unknown as CriClient, sessionId);
  return target as OwnTarget;
}
