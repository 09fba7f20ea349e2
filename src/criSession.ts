import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import { processWide } from './internal/processState.js';
import { markTargetGone } from './internal/targetLifecycle.js';
import { isCdpTarget, type CdpTarget, type CriEvents } from './target.js';

/**
 * What {@link criSession} needs of a chrome-remote-interface client: flat-mode `send` with a
 * session id, and events. A `CDP.Client` satisfies it without a cast.
 */
export interface CriClient extends CriEvents {
  send(method: CdpCommand, params: object | undefined, sessionId: string): PromiseLike<unknown>;
}

/** Every CDP command's name, from `devtools-protocol`'s `ProtocolMapping`. */
export type CdpCommand = keyof ProtocolMapping.Commands;

/** The parameters of command `M` (a one-element tuple, its element optional where the protocol allows). */
export type CdpParams<M extends CdpCommand> = ProtocolMapping.Commands[M]['paramsType'];

/** What command `M` answers. */
export type CdpResult<M extends CdpCommand> = ProtocolMapping.Commands[M]['returnType'];

/**
 * A flat-mode session of a chrome-remote-interface connection, usable as a {@link CdpTarget} — and
 * a typed way to send any CDP command on that session: `send` is typed for every command through
 * `devtools-protocol`'s `ProtocolMapping` (parameters checked, answer typed), no cast.
 *
 * @example
 * ```ts
 * const page = criSession(browser, sessionId);
 * const { result } = await page.send('Runtime.evaluate', { expression: 'document.links' }); // typed
 * batcher.release(page, result.objectId!);
 * ```
 */
export interface CriSessionTarget extends CdpTarget {
  readonly client: CriClient;
  readonly sessionId: string;
  send<M extends CdpCommand>(method: M, ...params: CdpParams<M>): Promise<CdpResult<M>>;
}

/** One target per (client, sessionId), process-wide. */
const sessionsByClient = processWide('cri-sessions@1', () => new WeakMap<object, Map<string, CriSessionTarget>>());

/**
 * A chrome-remote-interface flat-mode session as a {@link CdpTarget}. Returns the same object for
 * the same (client, sessionId) pair, so deduplication and the per-target bound see one target.
 *
 * The session is forgotten by every batcher automatically — its pending releases dropped, its
 * in-flight calls settled `gone` at once — when it detaches (`Target.detachedFromTarget`), when its
 * renderer crashes (`Inspector.targetCrashed` on that session: Chrome then answers nothing on it), or
 * when the client disconnects.
 *
 * @example
 * ```ts
 * const browser = await CDP({ target: browserWSEndpoint });
 * const { sessionId } = await browser.Target.attachToTarget({ targetId, flatten: true });
 * const page = criSession(browser, sessionId);
 * const { result } = await browser.send('Runtime.evaluate', { expression: 'document.body' }, sessionId);
 * batcher.release(page, result.objectId!);
 * ```
 * @throws TypeError when `client` has no `send`/`on` or `sessionId` is not a non-empty string.
 */
export function criSession(client: CriClient, sessionId: string): CriSessionTarget {
  if (!isCdpTarget(client) || typeof client.on !== 'function') {
    throw new TypeError('criSession: client must be a chrome-remote-interface client (with send and on)');
  }
  if (typeof sessionId !== 'string' || sessionId === '') {
    throw new TypeError('criSession: sessionId must be a non-empty string');
  }
  let sessions = sessionsByClient.get(client);
  if (sessions === undefined) {
    const map = new Map<string, CriSessionTarget>();
    sessions = map;
    sessionsByClient.set(client, map);
    const gone = (id: string): void => {
      const session = map.get(id);
      if (session === undefined) return;
      map.delete(id);
      markTargetGone(session);
    };
    client.on('Target.detachedFromTarget', (params: object) => gone((params as { sessionId: string }).sessionId));
    client.on('Inspector.targetCrashed', (_params: object, id?: string) => {
      if (id !== undefined) gone(id);
    });
    client.on('disconnect', () => {
      for (const id of [...map.keys()]) gone(id);
    });
  }
  let session = sessions.get(sessionId);
  if (session === undefined) {
    session = {
      client,
      sessionId,
      // The client's own promise, not a wrapper: no extra microtask per release (and a fake client's
      // thenable keeps settling in virtual time).
      send: <M extends CdpCommand>(method: M, ...params: CdpParams<M>): Promise<CdpResult<M>> =>
        client.send(method, params[0], sessionId) as Promise<CdpResult<M>>,
    };
    sessions.set(sessionId, session);
  }
  return session;
}
