import type { CdpTarget, CriEvents } from '../target.js';
import { targetGoneChannel } from './channels.js';
import { processWide } from './processState.js';

/**
 * Which targets are known to be gone (session detached, renderer crashed, connection closed). The
 * facts are process-wide, because they are: a detached session is dead for every batcher that holds
 * releases for it — and for every copy of the library loaded in the process (ESM and CommonJS share
 * this state, see `internal/processState.ts`). Nothing here keeps a target alive.
 */
const lifecycle = processWide('target-lifecycle@1', () => ({
  /** Targets known to be gone. */
  gone: new WeakSet(),
  /** Who is told when a target goes: each lane with releases for it. */
  goneListeners: new WeakMap<object, Set<(target: CdpTarget) => void>>(),
  /** chrome-remote-interface clients whose `disconnect` / crash events are hooked already. */
  hookedCriClients: new WeakSet(),
}));

/** True once {@link markTargetGone} was called for `target`. */
export function isTargetGone(target: CdpTarget): boolean {
  return lifecycle.gone.has(target);
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
  const { gone, goneListeners } = lifecycle;
  if (gone.has(target)) return;
  gone.add(target);
  if (targetGoneChannel.hasSubscribers) targetGoneChannel.publish({ target });
  const set = goneListeners.get(target);
  if (set === undefined) return;
  goneListeners.delete(target);
  for (const callback of [...set]) callback(target);
}

/**
 * Calls `callback` when `target` goes ({@link markTargetGone}); returns the function that stops
 * listening. A lane listens only while it exists, so nothing keeps a settled target.
 * @internal
 */
export function onTargetGone(target: CdpTarget, callback: (target: CdpTarget) => void): () => void {
  const { goneListeners } = lifecycle;
  hookClientEvents(target);
  let set = goneListeners.get(target);
  if (set === undefined) {
    set = new Set();
    goneListeners.set(target, set);
  }
  set.add(callback);
  return () => {
    const current = goneListeners.get(target);
    if (current === undefined) return;
    current.delete(callback);
    if (current.size === 0) goneListeners.delete(target);
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
  const { hookedCriClients } = lifecycle;
  if (hookedCriClients.has(target) || !isCriClient(target)) return;
  hookedCriClients.add(target);
  try {
    target.on('disconnect', () => markTargetGone(target));
    target.on('Inspector.targetCrashed', (_params: object, sessionId?: string) => {
      if (sessionId === undefined) markTargetGone(target);
    });
  } catch {
    // an exotic client whose `on` throws: its going is then learned from its answers
  }
}
