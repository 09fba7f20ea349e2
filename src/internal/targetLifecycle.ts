import type { CdpTarget, CriEvents } from '../target.js';
import { processState } from './processState.js';

/**
 * Which targets are known to be gone (session detached, renderer crashed, connection closed). The
 * facts are process-wide, because they are: a detached session is dead for every batcher that holds
 * releases for it — and for every copy of the library loaded in the process (ESM and CommonJS share
 * this state, see `internal/processState.ts`). Nothing here keeps a target alive.
 */

/** True once {@link markTargetGone} was called for `target`. */
export function isTargetGone(target: CdpTarget): boolean {
  return processState.goneTargets.has(target);
}

/**
 * Records that `target` is gone for good and tells every batcher holding releases for it: they
 * drop its pending releases unsent and settle its in-flight calls as `gone` at once (a crashed
 * renderer answers nothing, so waiting would cost `timeoutMs` per call).
 *
 * @example
 * ```ts
 * page.once('close', () => markTargetGone(session)); // every batcher, not only one
 * ```
 */
export function markTargetGone(target: CdpTarget): void {
  const { goneTargets, watchers } = processState;
  if (goneTargets.has(target)) return;
  goneTargets.add(target);
  const set = watchers.get(target);
  if (set === undefined) return;
  watchers.delete(target);
  for (const callback of [...set]) callback(target);
}

/**
 * Calls `callback` when `target` goes ({@link markTargetGone}); returns the function that stops
 * watching. A lane watches its target only while it exists, so nothing keeps a settled target.
 * @internal
 */
export function watchTarget(target: CdpTarget, callback: (target: CdpTarget) => void): () => void {
  const { watchers } = processState;
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

/** A chrome-remote-interface client (its `_ws` is how it is told apart from other clients). */
function isCriClient(value: unknown): value is CdpTarget & CriEvents {
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
 * (`Inspector.targetCrashed` without a session id). Hooked once per client, process-wide.
 */
function hookClientEvents(target: CdpTarget): void {
  const { hookedClients } = processState;
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
