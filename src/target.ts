import type { Protocol } from 'devtools-protocol';

/**
 * Anything that can send a CDP command: puppeteer-core's `CDPSession`, playwright-core's
 * `CDPSession`, a chrome-remote-interface client, or {@link criSession}'s flat-mode session.
 *
 * Only the two release commands are ever sent. Targets are compared by identity (`===`): every
 * per-target bound, deduplication and lifecycle decision is keyed on the object itself.
 *
 * `send` may return any promise-like value. The batcher subscribes with `.then(onOk, onError)`
 * directly (never `await`), so a thenable that settles synchronously settles the release
 * synchronously — which is what the marble tests rely on to keep Chrome's answers in virtual time.
 *
 * @example
 * ```ts
 * import CDP from 'chrome-remote-interface';
 * const client = await CDP({ port: 9222 });
 * const target: CdpTarget = client; // no cast needed
 * ```
 */
export interface CdpTarget {
  send(method: 'Runtime.releaseObject', params: Protocol.Runtime.ReleaseObjectRequest): PromiseLike<unknown>;
  send(method: 'Runtime.releaseObjectGroup', params: Protocol.Runtime.ReleaseObjectGroupRequest): PromiseLike<unknown>;
}

/** True when `value` has a callable `send`, i.e. can be used as a {@link CdpTarget}. Never throws. */
export function isCdpTarget(value: unknown): value is CdpTarget {
  try {
    return (typeof value === 'object' || typeof value === 'function') && value !== null
      && typeof (value as { send?: unknown }).send === 'function';
  } catch {
    // A hostile proxy whose `send` getter throws is not a usable target.
    return false;
  }
}

/** The event side of a chrome-remote-interface client: how its targets are known to go away. */
export interface CriEvents {
  on(event: string, listener: (params: object, sessionId?: string) => void): unknown;
}
