import { isCdpTarget } from '../target.js';
import { inspectClientHandle, isReleasableHandle, type HandleInspection } from './clients/index.js';
import type { ReleaseLedger } from './ledger.js';

/**
 * What the first argument of `release` / `adopt` is, decided once: a target (then an id or remote
 * object follows), a client's handle this library can release (inspected here, once per call), or
 * neither (counted `invalid`). @internal
 */
export function clientHandleOf(first: unknown): HandleInspection | null {
  if (isCdpTarget(first)) return null;
  const inspected = inspectClientHandle(first);
  return isReleasableHandle(inspected) ? inspected : null;
}

/**
 * Releases a client's handle through the ledger: one release per remote object on the session
 * that created it, the handle marked disposed first (its client's own `dispose()` then sends
 * nothing). A handle its client disposed already counts `duplicate` (its release was sent); after
 * close it counts `dropped` and is left to its client. @internal
 */
export function releaseClientHandle(ledger: ReleaseLedger, handle: HandleInspection): void {
  if (!ledger.taking || handle.alreadyDisposed) {
    const outcome = handle.alreadyDisposed ? 'duplicate' : 'dropped';
    for (let i = 0; i < Math.max(1, handle.objects.length); i++) ledger.endAtOnce(outcome);
    return;
  }
  handle.markDisposed(); // before anything is sent: its client's own dispose() must send nothing
  for (const { target, objectId } of handle.objects) ledger.enqueue(target, objectId, false);
}
