import type { CdpTarget } from '../../target.js';
import { isTargetGone, markTargetGone } from '../targetLifecycle.js';
import { notifyDisposed, onDisposed, shadowDispose } from './disposal.js';
import { pageRecord } from './pageRecord.js';
import type { HandleInspection, HandlePage, NotAHandle } from './types.js';

/**
 * playwright-core's handles, as far as releasing them needs — everything this library relies on of
 * playwright-core lives in this file. Checked against playwright-core 1.65 (see the README's
 * supported versions; `spec/chromium/playwrightHandles.spec.ts` runs against the installed one).
 *
 * A playwright handle is a proxy: the object id lives in playwright's server half, which sends the
 * `Runtime.releaseObject` (on the session that created the object) when the handle's own `dispose()`
 * reaches it. So the one release message per handle is that `dispose()`, called by the batcher: the
 * batcher queues, windows, times and counts it like any release; its "target" is one
 * {@link PlaywrightPageReleases} per page, whose `send` calls the handles' `dispose()`. Playwright
 * answers after its server disposed the handle (it sends the release and does not wait for Chrome):
 * `released` here means playwright confirmed it.
 *
 * What is used of playwright's internals: a handle's `_type` (`JSHandle` / `ElementHandle`) and
 * `_guid`, its `_connection._objects` (the client's map of live objects: a disposed handle leaves
 * it, and it holds every live handle — so a dropped, undisposed playwright handle is never garbage
 * collected), and `_parent` up to its `Page`. Public: `dispose()`, `page.url()`, `page.on('close' |
 * 'crash')`.
 */

interface PlaywrightObject {
  readonly _type: string;
  readonly _guid: string;
  readonly _parent?: PlaywrightObject;
}

interface PlaywrightHandleShape extends PlaywrightObject {
  readonly _connection: { readonly _objects: Map<string, unknown> };
  dispose(): Promise<void>;
}

interface PlaywrightPageShape extends PlaywrightObject {
  url(): string;
  once(event: 'close' | 'crash', listener: () => void): unknown;
}

const HANDLE_TYPES = new Set(['JSHandle', 'ElementHandle']);

/** A handle and playwright's own `dispose` for it, held from the takeover until the release is sent. */
interface Disposal {
  readonly handle: object;
  readonly dispose: (this: object) => Promise<void>;
}

/**
 * A page's releases: a `CdpTarget` whose `Runtime.releaseObject` disposes the playwright handle
 * registered under that id (its `_guid`). Gone when the page closes or crashes. @internal
 */
export class PlaywrightPageReleases implements CdpTarget {
  /** guid → the handle's own dispose, from the moment the batcher took the release over until sent. */
  readonly #disposers = new Map<string, Disposal>();

  constructor(page: PlaywrightPageShape | null) {
    if (page === null) return;
    const gone = (): void => {
      this.#disposers.clear(); // playwright disposes them itself with the page
      markTargetGone(this);
    };
    try {
      page.once('close', gone);
      page.once('crash', gone);
    } catch {
      // a page that refuses listeners: its releases then end when playwright answers
    }
  }

  /** Holds `dispose` until the batcher sends the release with `id`. */
  take(id: string, handle: object, dispose: (this: object) => Promise<void>): void {
    if (!isTargetGone(this)) this.#disposers.set(id, { handle, dispose });
  }

  send(method: string, params?: object): Promise<unknown> {
    const id = (params as { objectId?: unknown } | undefined)?.objectId;
    const disposal = method === 'Runtime.releaseObject' && typeof id === 'string' ? this.#disposers.get(id) : undefined;
    if (disposal === undefined) return Promise.reject(new Error(`Could not find object with given id (${method} on a playwright page)`));
    this.#disposers.delete(id as string);
    return new Promise((resolve, reject) => {
      if (this.#due.push({ ...disposal, resolve, reject }) === 1) queueMicrotask(this.#drain);
    });
  }

  /** Disposes waiting to be called from a shallow stack (see {@link #drain}). */
  #due: (Disposal & { resolve: (value: unknown) => void; reject: (reason: unknown) => void })[] = [];

  /**
   * Calls the waiting disposes from a microtask of its own. Playwright captures up to 50 stack frames
   * on every API call and parses each: called from deep in the release pipeline, that halves the
   * throughput of its disposes; from here the stack is short
   * (and playwright's own `dispose` is called directly: every frame of ours costs, more so under
   * source-map-support, which maps each one).
   */
  readonly #drain = (): void => {
    const due = this.#due;
    this.#due = [];
    for (const { handle, dispose, resolve, reject } of due) {
      try {
        dispose.call(handle).then(() => resolve({}), reject);
      } catch (error) {
        reject(error);
      }
    }
  };
}

/** One releases target per page (or per frame or worker when no page is found). */
const releasesOf = new WeakMap<object, PlaywrightPageReleases>();

function pageOf(handle: PlaywrightObject): PlaywrightObject | null {
  const nearest = handle._parent ?? null;
  let owner: PlaywrightObject | null | undefined = nearest;
  while (owner !== undefined && owner !== null) {
    if (owner._type === 'Page') return owner;
    owner = owner._parent;
  }
  return nearest;
}

function releasesFor(owner: PlaywrightObject): PlaywrightPageReleases {
  let releases = releasesOf.get(owner);
  if (releases === undefined) {
    releases = new PlaywrightPageReleases(owner._type === 'Page' ? owner as PlaywrightPageShape : null);
    releasesOf.set(owner, releases);
  }
  return releases;
}

/** Handles disposed through the batcher (their `dispose` is shadowed; the connection lets go later). */
const takenOver = new WeakSet();

/**
 * The release of a playwright-core `JSHandle` or `ElementHandle`; null when `value` does not look
 * like one at all; a reason when it looks like one of a playwright version this file does not know.
 * Never throws.
 * @internal
 */
export function inspectPlaywrightHandle(value: unknown): HandleInspection | NotAHandle | null {
  try {
    if (typeof value !== 'object' || value === null) return null;
    const v = value as Partial<PlaywrightHandleShape>;
    if (typeof v._type !== 'string' || !HANDLE_TYPES.has(v._type)) return null;
    if (typeof v._guid !== 'string' || v._guid === '' || typeof v.dispose !== 'function') {
      return { reason: `a playwright-core ${v._type} without the _guid / dispose() this library knows (supported: playwright-core 1.65)` };
    }
    const objects = (v._connection as { _objects?: unknown } | undefined)?._objects;
    if (!(objects instanceof Map)) {
      return { reason: `a playwright-core ${v._type} whose connection has no object map (supported: playwright-core 1.65)` };
    }
    const handle = value as PlaywrightHandleShape;
    const owner = pageOf(handle);
    if (owner === null) return { reason: `a playwright-core ${handle._type} with no frame, worker or page above it (supported: playwright-core 1.65)` };
    const guid = handle._guid;
    const releases = releasesFor(owner);
    const disposedNow = (): boolean => takenOver.has(handle) || objects.get(guid) !== handle;
    const page = (): HandlePage | null => (owner._type === 'Page' ? playwrightPage(owner as PlaywrightPageShape) : null);
    return {
      objects: [{ target: releases, objectId: guid }],
      alreadyDisposed: disposedNow(),
      heldByClient: true,
      page,
      disposedNow,
      markDisposed: () => {
        if (takenOver.has(handle)) return;
        takenOver.add(handle);
        notifyDisposed(handle);
        // playwright's own dispose (from its prototype), not a shadow on the instance
        const prototype = Object.getPrototypeOf(handle) as PlaywrightHandleShape;
        releases.take(guid, handle, prototype.dispose); // eslint-disable-line @typescript-eslint/unbound-method -- called with the handle as `this`
        shadowDispose(handle);
      },
      onDisposed: (listener) => onDisposed(handle, listener),
    };
  } catch {
    return { reason: 'a playwright-core handle whose properties threw when read' };
  }
}

/** A playwright page's record: the Page itself as key; playwright disposes its handles when it closes. */
function playwrightPage(page: PlaywrightPageShape): HandlePage {
  return pageRecord(page, page, (listener) => {
    try {
      page.once('close', listener);
    } catch {
      // no close event: the count then falls as handles are disposed
    }
  });
}
