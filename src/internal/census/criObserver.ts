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
import { consoleArgumentIds, type ConnectionTally, type SentCommand } from './tally.js';
import { rootTargetOf, type OwnTarget, type WireHooks } from './wire.js';

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

function paramsOf(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null ? value as Record<string, unknown> : {};
}

/** Hooks `client` (once per client); `connection` is its tally. */
export function observeCriClient(client: object, connection: (rootTargetId: string) => ConnectionTally, hooks: WireHooks): void {
  const cri = client as CriInternals;
  const root = rootTargetOf(cri.webSocketUrl);
  const tally = connection(root);
  const pending = new Map<number, SentCommand>();
  const enqueue = cri._enqueueCommand;
  const handle = cri._handleMessage;
  cri._enqueueCommand = function (this: CriInternals, method, params, sessionId, callback) {
    pending.set(cri._nextCommandId, { method, params: paramsOf(params), sessionId: sessionId ?? '' });
    enqueue.call(this, method, params, sessionId, callback);
  };
  cri._handleMessage = function (this: CriInternals, raw) {
    try {
      const message = paramsOf(raw);
      const id = message['id'];
      if (typeof id === 'number') {
        const command = pending.get(id);
        if (command !== undefined) {
          pending.delete(id);
          tally.answered(command, message['error'] === undefined ? (message['result'] ?? {}) : undefined);
        }
      } else if (typeof message['method'] === 'string') {
        const sessionId = typeof message['sessionId'] === 'string' ? message['sessionId'] : '';
        const params = paramsOf(message['params']);
        tally.event(message['method'], params, sessionId);
        // A session that detached or crashed answers nothing more: its commands in flight are forgotten.
        const ended = message['method'] === 'Target.detachedFromTarget' ? params['sessionId'] : message['method'] === 'Inspector.targetCrashed' ? sessionId : undefined;
        if (typeof ended === 'string') for (const [id, command] of pending) if (command.sessionId === ended) pending.delete(id);
        if (message['method'] === 'Runtime.consoleAPICalled' && hooks.consoleArguments !== undefined) {
          const ids = consoleArgumentIds(params);
          if (ids.length > 0) hooks.consoleArguments(ownTarget(cri, sessionId), ids);
        }
      }
    } catch {
      // The client's own handling goes on whatever the census made of the message.
    }
    handle.call(this, raw);
  };
  cri.on('disconnect', () => {
    pending.clear();
    tally.closed();
  });
  // The page's url, when the client is on a page: the census asks once, as any client may.
  if (root !== '(browser)') {
    tally.session('');
    cri.send('Target.getTargetInfo').then((answer) => {
      const url = paramsOf(paramsOf(answer)['targetInfo'])['url'];
      if (typeof url === 'string') tally.setRootUrl(url);
    }, () => undefined);
  }
}

/** The census's target for its own commands on a session of `client`. */
function ownTarget(client: CriInternals, sessionId: string): OwnTarget {
  const target: CdpTarget = sessionId === '' ? client : criSession(client as unknown as CriClient, sessionId);
  return target as OwnTarget;
}
