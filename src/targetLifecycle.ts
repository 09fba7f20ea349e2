import { processState } from './internal/processState.js';
import type { CdpTarget } from './target.js';

/**
 * Which targets are known to be gone (session detached, renderer crashed, connection closed), and
 * who wants to hear when one goes. Process-wide, because the facts are: a detached session is dead
 * for every batcher that holds releases for it — and for every copy of the library loaded in the process
 * (ESM and CommonJS share this state, see `processState`).
 *
 * Nothing here keeps a target alive: both maps are weak, and a dispatcher watches a target only
 * while it has releases for it.
 */
const { goneTargets, watchers, hookedClients } = processState;

/** True once {@link markTargetGone} was called for `target`. */
export function isTargetGone(target: CdpTarget): boolean {
  return goneTargets.has(target);
}

/**
 * Records that `target` is gone for good and tells every batcher holding releases for it: they
 * drop its pending releases unsent and settle its in-flight calls as `gone` at once (a crashed
 * renderer answers nothing, so waiting would cost `timeoutMs` per call).
 */
export function markTargetGone(target: CdpTarget): void {
  if (goneTargets.has(target)) return;
  goneTargets.add(target);
  const set = watchers.get(target);
  if (set === undefined) return;
  watchers.delete(target);
  for (const callback of [...set]) callback(target);
}

/** Calls `callback` if `target` goes; returns the function that stops watching. */
export function watchTarget(target: CdpTarget, callback: (target: CdpTarget) => void): () => void {
  hookClientEvents(target);
  let set = watchers.get(target);
  if (set === undefined) {
    set = new Set();
    watchers.set(target, set);
  }
  set.add(callback);
  return () => {
    const current = watchers.get(target);
    if (current === undefined) return;
    current.delete(callback);
    if (current.size === 0) watchers.delete(target);
  };
}

/** The event side of a chrome-remote-interface client. */
export interface CriEvents {
  on(event: string, listener: (params: object, sessionId?: string) => void): unknown;
}

/** A chrome-remote-interface client (its `_ws` is how it is told apart from other clients). */
export function isCriClient(value: unknown): value is CdpTarget & CriEvents {
  try {
    return typeof value === 'object' && value !== null && '_ws' in value
      && typeof (value as { on?: unknown }).on === 'function' && typeof (value as { send?: unknown }).send === 'function';
  } catch {
    return false;
  }
}

/**
 * A chrome-remote-interface client used directly as a target is gone when its connection closes
 * (`disconnect`) or, for a connection to one page, when that page's renderer crashes
 * (`Inspector.targetCrashed` without a session id). Hooked once per client.
 */
function hookClientEvents(target: CdpTarget): void {
  if (hookedClients.has(target) || !isCriClient(target)) return;
  hookedClients.add(target);
  try {
    target.on('disconnect', () => markTargetGone(target));
    target.on('Inspector.targetCrashed', (_params: object, sessionId?: string) => {
      if (sessionId === undefined) markTargetGone(target);
    });
  } catch {
    // an exotic client whose `on` throws: it is just not watched
  }
}
