import type { ReleaseGuardLike } from '../guard.js';
import type { RemoteObjectHandle } from '../handle.js';
import type { ReleaseOutcome } from '../outcome.js';
import { isReleasableId } from '../request.js';
import type { ReleaseScope } from '../scope.js';
import type { CdpTarget } from '../target.js';
import type { ClientHandleRelease } from './clients/index.js';
import { processState } from './processState.js';

/** What a guard needs of its batcher: enqueue one release and hear how it ended. */
export interface GuardOwner {
  /** Enqueues one release; `onSettled` is told its outcome (before this returns if it ends at once). */
  enqueue(target: CdpTarget, id: string, group: boolean, onSettled: (outcome: ReleaseOutcome) => void): void;
}

/**
 * A Drop guard for JavaScript's explicit resource management: disposing
 * enqueues one release, once; `Symbol.asyncDispose` also waits for that release to settle.
 * Idempotent and never throws.
 */
export abstract class ReleaseGuard implements ReleaseGuardLike {
  #disposed = false;
  #outcome: ReleaseOutcome | null = null;
  /** Resolvers of `Symbol.asyncDispose` while the release is enqueued and not yet settled. */
  #waiters: (() => void)[] | null = null;

  constructor(
    protected readonly owner: GuardOwner,
    /** The target the release goes to. */
    readonly target: CdpTarget,
  ) {}

  /** True once `dispose()` (or either `Symbol` method) was called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** How the release ended; `undefined` until it settled (or when there was nothing to release). */
  get outcome(): ReleaseOutcome | undefined {
    return this.#outcome ?? undefined;
  }

  /** Enqueues the release once; later calls do nothing. Never throws, never waits. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.onDispose();
    const id = this.releaseId();
    if (id === null) return;
    this.#waiters = []; // emptied (null) again when it settles, possibly before enqueue returns
    this.owner.enqueue(this.target, id, this.isGroup(), (outcome) => {
      this.#outcome = outcome;
      this.#settled();
    });
  }

  /** Same as {@link dispose}: for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Enqueues the release (once) and resolves when it settled, whatever the outcome. Never rejects. */
  [Symbol.asyncDispose](): Promise<void> {
    this.dispose();
    if (this.#waiters === null) return Promise.resolve();
    return new Promise<void>((resolve) => this.#waiters?.push(resolve) ?? resolve());
  }

  /** The id to release, or null when there is nothing to release. */
  protected abstract releaseId(): string | null;
  protected abstract isGroup(): boolean;
  /** Called once, just before the release is enqueued. */
  protected onDispose(): void {
    // nothing by default
  }

  #settled(): void {
    const waiters = this.#waiters;
    this.#waiters = null;
    if (waiters !== null) for (const resolve of waiters) resolve();
  }
}

/** The handle class behind {@link RemoteObjectHandle}. */
export class RemoteObjectHandleImpl extends ReleaseGuard implements RemoteObjectHandle {
  readonly objectId: string;
  /** `null`: nothing to release. Otherwise the value handed to release(), valid or not (counted). */
  readonly #releaseId: string | null;
  readonly #onDisposed: ((handle: RemoteObjectHandleImpl) => void) | null;

  constructor(owner: GuardOwner, target: CdpTarget, remoteObjectOrId: unknown, onDisposed: ((handle: RemoteObjectHandleImpl) => void) | null) {
    super(owner, target);
    this.#onDisposed = onDisposed;
    this.#releaseId = releaseIdOf(remoteObjectOrId);
    this.objectId = this.#releaseId ?? '';
  }

  protected releaseId(): string | null {
    return this.#releaseId;
  }

  protected isGroup(): boolean {
    return false;
  }

  protected override onDispose(): void {
    this.#onDisposed?.(this);
  }
}

/**
 * The guard over a client's own handle (`batcher.adopt(handle)`): disposing it releases the handle's
 * objects as `batcher.release(handle)` does — the handle reads disposed, its own `dispose()` sends
 * nothing. If the client disposed the handle first, its release was sent already: nothing more is.
 * Never registered with the leak registry itself: dropping this guard while the client's handle lives
 * must release nothing (the handle is still in use); the batcher's `watch` follows the handle instead.
 */
export class ClientHandleGuard extends ReleaseGuard implements RemoteObjectHandle {
  readonly objectId: string;
  readonly #handle: ClientHandleRelease;
  #releaseId: string | null = null;

  constructor(owner: GuardOwner, handle: ClientHandleRelease, fallbackTarget: CdpTarget) {
    super(owner, handle.objects[0]?.target ?? fallbackTarget);
    this.#handle = handle;
    this.objectId = handle.objects[0]?.objectId ?? '';
  }

  protected releaseId(): string | null {
    return this.#releaseId;
  }

  protected isGroup(): boolean {
    return false;
  }

  protected override onDispose(): void {
    if (this.#handle.disposedNow()) return; // its client released it already
    this.#handle.markDisposed();
    const [first, ...twins] = this.#handle.objects;
    this.#releaseId = first?.objectId ?? null;
    for (const twin of twins) this.owner.enqueue(twin.target, twin.objectId, false, () => undefined);
  }
}

/**
 * The id to release for a remote object, an id, or a `{ objectId }` request: a string as given; a
 * remote object's `objectId`; `null` for a remote object without one (a primitive:
 * `{ type: 'number', value: 1 }`), which holds nothing. Anything else gives `''`, which the batcher
 * counts `invalid` — a clear outcome rather than a throw. Never throws.
 */
export function releaseIdOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    try {
      const { objectId, type } = value as { objectId?: unknown; type?: unknown };
      if (isReleasableId(objectId)) return objectId;
      if (objectId === undefined && typeof type === 'string') return null;
    } catch {
      // null (it cannot be destructured), or a hostile object: invalid below
    }
  }
  return ''; // counted invalid when released
}

/** The scope class behind {@link ReleaseScope}. */
export class ReleaseScopeImpl extends ReleaseGuard implements ReleaseScope {
  // Unique per process (the count is shared by every copy of the library loaded in it); several
  // processes may share one browser, and through flat sessions one page: the tag keeps them apart.
  readonly objectGroup = `cdp-release-scope-${processState.processTag}-${(++processState.scopeCount).toString(36)}`;

  protected releaseId(): string {
    return this.objectGroup;
  }

  protected isGroup(): boolean {
    return true;
  }
}
