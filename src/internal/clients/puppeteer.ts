import type { CdpTarget } from '../../target.js';
import { markTargetGone } from '../targetLifecycle.js';
import { processWide } from '../processState.js';
import { notifyDisposed, onDisposed, shadowDispose } from './disposal.js';
import { pageRecord } from './pageRecord.js';
import type { HandleInspection, HeldObject, HandlePage, NotAHandle } from './types.js';

/**
 * puppeteer-core's handles, as far as releasing them needs — everything this library relies on of
 * puppeteer-core lives in this file. Checked against puppeteer-core 24 (see the README's supported
 * versions; `spec/chromium/puppeteerHandles.spec.ts` runs against the installed one).
 *
 * What is used: the public `remoteObject()` (the object id), and two internals — `client`, the
 * page's own DevTools session the handle's object belongs to (ids belong to one session: releasing
 * on `page.createCDPSession()` finds nothing), and the handle's `dispose` / `disposed`, which this
 * file shadows on the handle itself once the batcher has taken the release over, so the handle reads
 * disposed and a later `dispose()` sends nothing (puppeteer's own `#disposed` flag is private).
 * An `ElementHandle` wraps a `JSHandle` (`handle`) and may hold a twin in puppeteer's isolated world
 * (`isolatedHandle`): both are released, each on its own session. For the per-page count of watched
 * handles, the page is read through the public `realm.environment` (a frame's `page()`, or a worker).
 */

/** The parts of puppeteer's `CdpJSHandle` this file reads. */
interface CdpJSHandleShape {
  remoteObject(): { objectId?: unknown };
  readonly client: { send: unknown; on?: unknown };
  readonly disposed: boolean;
  dispose(): Promise<void>;
}

function isCdpJSHandle(value: unknown): value is CdpJSHandleShape {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof CdpJSHandleShape, unknown>>;
  if (typeof v.remoteObject !== 'function' || typeof v.dispose !== 'function' || typeof v.disposed !== 'boolean') return false;
  const client = v.client as { send?: unknown } | null | undefined;
  return typeof client === 'object' && client !== null && typeof client.send === 'function';
}

/** Sessions whose crash event is hooked already (once per process). */
const hookedSessions = processWide('puppeteer-hooked-sessions@1', () => new WeakSet());

/** A session's crash ends its objects at once: Chrome answers nothing on it afterwards. */
function hookSession(session: CdpShapedSession): void {
  if (hookedSessions.has(session) || typeof session.on !== 'function') return;
  hookedSessions.add(session);
  try {
    session.on('Inspector.targetCrashed', () => markTargetGone(session));
  } catch {
    // an emitter that refuses: the crash then shows as timeouts
  }
}

type CdpShapedSession = CdpTarget & { on?: (event: string, listener: () => void) => unknown };

/** Shadows puppeteer's private `#disposed` on this very handle: disposed from now on, `dispose()` a no-op. */
function shadowDisposed(handle: CdpJSHandleShape): void {
  notifyDisposed(handle);
  Object.defineProperty(handle, 'disposed', DISPOSED);
  shadowDispose(handle);
}

/** One descriptor for every handle (no closure per release). */
const DISPOSED: PropertyDescriptor = { configurable: true, get: () => true };

/** Looks like a puppeteer handle (public methods only), whatever its internals. */
function looksLikePuppeteerHandle(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { remoteObject?: unknown; asElement?: unknown; dispose?: unknown };
  return typeof v.remoteObject === 'function' && typeof v.asElement === 'function' && typeof v.dispose === 'function';
}

/** The page a handle belongs to, through puppeteer's public `realm.environment`; null if none. */
function pageOf(handle: object, session: object): HandlePage | null {
  const environment = (handle as { realm?: { environment?: unknown } }).realm?.environment as { page?: unknown; url?: unknown } | null | undefined;
  if (environment === undefined || environment === null) return null;
  const page = (typeof environment.page === 'function' ? (environment.page as () => unknown).call(environment) : environment) as { url?: unknown } | null | undefined;
  if (typeof page?.url !== 'function') return null;
  return pageRecord(session, page as { url(): string }); // keyed by the session its handles are released on
}

/** The `CdpJSHandle` behind a value: the one an ElementHandle wraps (`handle`), or the value itself. */
function jsHandleOf(value: unknown): CdpJSHandleShape | null {
  const wrapped = typeof value === 'object' && value !== null ? (value as { handle?: unknown }).handle : undefined;
  if (isCdpJSHandle(wrapped)) return wrapped;
  return isCdpJSHandle(value) ? value : null;
}

/**
 * What the batcher learns of a puppeteer-core `JSHandle` or `ElementHandle`; null when `value` does not look like
 * one at all; a reason when it looks like one of a puppeteer version whose internals this file does
 * not know. Never throws.
 * @internal
 */
export function inspectPuppeteerHandle(value: unknown): HandleInspection | NotAHandle | null {
  try {
    const outer = value as { isolatedHandle?: unknown } | null;
    // An ElementHandle delegates to the JSHandle it wraps, and may have an isolated-world twin.
    const inner = jsHandleOf(value);
    if (inner === null) {
      return looksLikePuppeteerHandle(value)
        ? { reason: 'a puppeteer-core handle without the session (client) and disposed flag this library knows (supported: puppeteer-core 24)' }
        : null;
    }
    const handles = [inner];
    const twin = jsHandleOf(outer?.isolatedHandle); // a JSHandle has none
    if (twin !== null && !twin.disposed) handles.push(twin);
    const objects: HeldObject[] = [];
    for (const handle of handles) {
      const { objectId } = handle.remoteObject();
      if (typeof objectId !== 'string' || objectId === '') continue; // a primitive: nothing held
      const session = handle.client as CdpShapedSession;
      hookSession(session);
      objects.push({ target: session, objectId });
    }
    return {
      objects,
      alreadyDisposed: inner.disposed,
      heldByClient: false,
      page: () => pageOf(inner, inner.client),
      disposedNow: () => {
        try {
          return inner.disposed;
        } catch {
          return true;
        }
      },
      markDisposed: () => {
        for (const handle of handles) shadowDisposed(handle);
      },
      // The client's own dispose() (an ElementHandle's delegates to this one) tells the listener first.
      onDisposed: (listener) => onDisposed(inner, listener),
    };
  } catch {
    return { reason: 'a puppeteer-core handle whose properties threw when read' };
  }
}
