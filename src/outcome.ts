/**
 * How one release ended. Every request given to a batcher ends in exactly one of these.
 *
 * - `released`: Chrome answered success.
 * - `gone`: Chrome or the client said the id, its context, its session or its target is unknown:
 *   already released, or its context, page or connection gone — nothing is held then. One case holds
 *   the object still: `Could not find object with given id` also answers an id sent on a session that
 *   did not create it (ids belong to one DevTools session; puppeteer's handles live on the page's own
 *   session, not on `page.createCDPSession()` — pass the handle itself to `release`).
 * - `failed`: any other error.
 * - `timedOut`: no answer within `timeoutMs`; the call's slot was freed.
 * - `dropped`: never sent (target forgotten or dead, batcher closed, pipeline unsubscribed).
 * - `duplicate`: the same (target, objectId) was already pending or in flight, or a client handle
 *   passed to `release` had been disposed by its client already.
 * - `invalid`: objectId / objectGroup not a non-empty string, a target without `send()`, or a value
 *   passed as a client handle that is not one this library knows.
 */
export type ReleaseOutcome = (typeof RELEASE_OUTCOMES)[number];

/**
 * Every {@link ReleaseOutcome}, in the order statistics list them: the one list the counts of
 * {@link ReleaseStats} and {@link BatchReport} are derived from.
 */
export const RELEASE_OUTCOMES = ['released', 'gone', 'failed', 'timedOut', 'dropped', 'duplicate', 'invalid'] as const;

/**
 * The outcomes a call of a batch can have: all but `duplicate`, which the batcher decides before a
 * request joins any batch.
 */
export type BatchOutcome = Exclude<ReleaseOutcome, 'duplicate'>;

/** Every {@link BatchOutcome}, in {@link RELEASE_OUTCOMES} order. */
export const BATCH_OUTCOMES: readonly BatchOutcome[] = RELEASE_OUTCOMES.filter((o): o is BatchOutcome => o !== 'duplicate');

/** How many releases ended in each outcome of `O`. */
export type OutcomeCounts<O extends ReleaseOutcome = ReleaseOutcome> = Readonly<Record<O, number>>;

/** What an error answer from a release call means. */
export interface ErrorClassification {
  readonly outcome: 'gone' | 'failed';
  /** The whole session or target is gone (not only this object): later calls would fail too. */
  readonly targetGone: boolean;
}

// Messages that say the session / target / connection is gone, so every object on it is gone.
// Chrome: `Session with given id not found.` (code -32001), `Target crashed`.
// puppeteer-core: TargetCloseError `Target closed`, `Session closed. Most likely the page has been closed.`
// playwright-core: `Target page, context or browser has been closed`, `Target closed`.
// chrome-remote-interface: `WebSocket connection closed`; ws itself: `WebSocket is not open: readyState 3`;
// Node: `socket hang up`.
const TARGET_GONE = /Session with given id not found|Target crashed|Target closed|Session closed|has been closed|WebSocket connection closed|WebSocket is not open|Connection closed|socket hang up/;

// Messages that say this object (or its execution context) is gone, while the session lives on.
// Chrome: `Could not find object with given id` (released already, or an id from another session),
// `Cannot find context with specified id`, `Inspected target navigated or closed`,
// `Execution context was destroyed`.
const OBJECT_GONE = /Could not find object with given id|Cannot find context with specified id|Inspected target navigated or closed|Execution context was destroyed|No target with given id/;

/** CDP's "session not found" error code. */
const SESSION_NOT_FOUND_CODE = -32001;

// Node's socket errors when the connection under a client went away mid-burst (seen with
// chrome-remote-interface when a tab is closed while releases are being written: `write EPIPE`).
const CONNECTION_GONE_CODES: ReadonlySet<unknown> = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ERR_STREAM_WRITE_AFTER_END', 'ERR_STREAM_DESTROYED']);

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error !== 'object' || error === null) return '';
  try {
    const { message, response } = error as { message?: unknown; response?: unknown };
    const parts: string[] = [];
    if (typeof message === 'string') parts.push(message);
    // chrome-remote-interface's ProtocolError keeps Chrome's answer on `response`.
    if (typeof response === 'object' && response !== null) {
      const inner = (response as { message?: unknown }).message;
      if (typeof inner === 'string' && !parts.includes(inner)) parts.push(inner);
    }
    return parts.join('\n');
  } catch {
    return '';
  }
}

/** The longest error message kept (in the stats' samples and in channel messages). */
const MAX_ERROR_MESSAGE = 300;

/**
 * A release error's message, for people: Chrome's or the client's text (at most
 * {@link MAX_ERROR_MESSAGE} characters), or what the value is when it has none. Never throws.
 * @internal
 */
export function errorMessageOf(error: unknown): string {
  let message = messageOf(error);
  if (message === '') {
    try {
      message = typeof error === 'object' && error !== null ? `a rejection without a message (${Object.prototype.toString.call(error)})` : `a rejection with ${String(error)}`;
    } catch {
      message = 'a rejection without a message';
    }
  }
  return message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE - 1)}…` : message;
}

function codeOf(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return undefined;
  try {
    const { code, response } = error as { code?: unknown; response?: unknown };
    return code ?? (typeof response === 'object' && response !== null ? (response as { code?: unknown }).code : undefined);
  } catch {
    return undefined;
  }
}

/**
 * Classifies the error a release call rejected with (or threw). Matches the messages Chrome and the
 * three supported clients use for "already gone"; everything else is `failed`. Never throws, whatever
 * the error value is.
 *
 * @example
 * ```ts
 * classifyReleaseError(new Error('Could not find object with given id')); // { outcome: 'gone', targetGone: false }
 * ```
 */
export function classifyReleaseError(error: unknown): ErrorClassification {
  const message = messageOf(error);
  const code = codeOf(error);
  if (code === SESSION_NOT_FOUND_CODE || CONNECTION_GONE_CODES.has(code) || TARGET_GONE.test(message)) {
    return TARGET_GONE_RESULT;
  }
  if (OBJECT_GONE.test(message)) return OBJECT_GONE_RESULT;
  return FAILED_RESULT;
}

const TARGET_GONE_RESULT: ErrorClassification = Object.freeze({ outcome: 'gone', targetGone: true });
const OBJECT_GONE_RESULT: ErrorClassification = Object.freeze({ outcome: 'gone', targetGone: false });
const FAILED_RESULT: ErrorClassification = Object.freeze({ outcome: 'failed', targetGone: false });
