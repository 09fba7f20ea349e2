import type { CdpTarget } from '../../target.js';
import { markTargetGone } from '../targetLifecycle.js';
import { processState } from '../processState.js';

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
 * (`isolatedHandle`): both are released, each on its own session.
 */

/** One remote object behind a client's handle, and the session it belongs to. @internal */
export interface HandleObject {
  readonly target: CdpTarget;
  readonly objectId: string;
}

/** What the batcher learns of a client's handle. @internal */
export interface ClientHandleRelease {
  /** The remote objects to release; empty for a primitive value (nothing is held). */
  readonly objects: readonly HandleObject[];
  /** The client had disposed it already (its release was sent by the client). */
  readonly alreadyDisposed: boolean;
  /** Whether it reads disposed now (by its client, or by {@link markDisposed}). */
  disposedNow(): boolean;
  /** Make the handle read disposed, with a `dispose()` that sends nothing. */
  markDisposed(): void;
  /**
   * Calls `listener` once when the handle is disposed — by its client (`dispose()`, `using`) or by
   * {@link markDisposed} — whichever comes first. One listener per handle (the last one set).
   */
  onDisposed(listener: () => void): void;
}

/** Who wants to hear that a handle was disposed (the leak net), per puppeteer JSHandle. Weak. */
const disposeListeners = new WeakMap<object, () => void>();

function notifyDisposed(handle: object): void {
  const listener = disposeListeners.get(handle);
  if (listener === undefined) return;
  disposeListeners.delete(handle);
  listener();
}

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

/** A session's crash ends its objects at once: Chrome answers nothing on it afterwards. */
function watchSession(session: CdpShapedSession): void {
  const { hookedClients } = processState;
  if (hookedClients.has(session) || typeof session.on !== 'function') return;
  hookedClients.add(session);
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
  Object.defineProperty(handle, 'disposed', { configurable: true, get: () => true });
  Object.defineProperty(handle, 'dispose', { configurable: true, writable: true, value: () => Promise.resolve() });
}

/**
 * The release of a puppeteer-core `JSHandle` or `ElementHandle`, or null when `value` is not one
 * (or is one of a puppeteer version whose shape this file does not know). Never throws.
 * @internal
 */
export function puppeteerHandleRelease(value: unknown): ClientHandleRelease | null {
  try {
    const outer = value as { handle?: unknown; isolatedHandle?: unknown } | null;
    // An ElementHandle delegates to the JSHandle it wraps, and may have an isolated-world twin.
    const inner = typeof outer === 'object' && outer !== null && isCdpJSHandle(outer.handle) ? outer.handle : value;
    if (!isCdpJSHandle(inner)) return null;
    const handles = [inner];
    const twin = inner === value ? undefined : outer?.isolatedHandle;
    if (isCdpJSHandle(twin) && !twin.disposed) handles.push(twin);
    const objects: HandleObject[] = [];
    for (const handle of handles) {
      const { objectId } = handle.remoteObject();
      if (typeof objectId !== 'string' || objectId === '') continue; // a primitive: nothing held
      const session = handle.client as CdpShapedSession;
      watchSession(session);
      objects.push({ target: session, objectId });
    }
    return {
      objects,
      alreadyDisposed: inner.disposed,
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
      onDisposed: (listener) => {
        disposeListeners.set(inner, listener);
        // The client's own dispose() (an ElementHandle's delegates to this one) tells the listener first.
        const original = inner.dispose.bind(inner);
        Object.defineProperty(inner, 'dispose', {
          configurable: true,
          writable: true,
          value: () => {
            notifyDisposed(inner);
            return original();
          },
        });
      },
    };
  } catch {
    return null; // a getter that threw: not a handle we understand
  }
}
