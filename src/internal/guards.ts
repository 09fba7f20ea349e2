import type { ReleaseGuardLike, RemoteObjectHandle } from '../guard.js';
import type { ReleaseOutcome } from '../outcome.js';
import { releaseIdOf } from '../request.js';
import type { ReleaseScope } from '../scope.js';
import type { CdpTarget } from '../target.js';
import type { HandleInspection } from './clients/index.js';
import type { ReleaseLedger } from './ledger.js';
import { processWide } from './processState.js';

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
    protected readonly owner: ReleaseLedger,
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
export class ObjectHandle extends ReleaseGuard implements RemoteObjectHandle {
  readonly objectId: string;
  /** `null`: nothing to release. Otherwise the value handed to release(), valid or not (counted). */
  readonly #releaseId: string | null;
  readonly #onDisposed: ((handle: ObjectHandle) => void) | null;

  constructor(owner: ReleaseLedger, target: CdpTarget, remoteObjectOrId: unknown, onDisposed: ((handle: ObjectHandle) => void) | null) {
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
  readonly #handle: HandleInspection;
  #releaseId: string | null = null;

  constructor(owner: ReleaseLedger, handle: HandleInspection, fallbackTarget: CdpTarget) {
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
 * Scope names, unique per process: the count is shared by every copy of the library loaded in it,
 * and the tag tells this process's groups from another's on the same browser (several processes
 * may share one browser, and through flat sessions one page).
 */
const scopeNames = processWide('scope-names@1', () => ({
  count: 0,
  tag: `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`,
}));

/** The scope class behind {@link ReleaseScope}. */
export class ReleaseScopeImpl extends ReleaseGuard implements ReleaseScope {
  readonly objectGroup = `cdp-release-scope-${scopeNames.tag}-${(++scopeNames.count).toString(36)}`;

  protected releaseId(): string {
    return this.objectGroup;
  }

  protected isGroup(): boolean {
    return true;
  }
}
