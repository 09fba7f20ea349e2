import type { ReleaseOutcome } from './outcome.js';
import type { CdpTarget } from './target.js';

/** What a guard needs of its batcher: enqueue one release and hear how it ended. */
export interface GuardOwner {
  enqueueTracked(target: CdpTarget, id: string, group: boolean, onSettled: (outcome: ReleaseOutcome) => void): void;
}

/**
 * What handles and scopes share: one release, enqueued once by `dispose()` (or `using`), awaited by
 * `Symbol.asyncDispose` (or `await using`).
 */
export interface ReleaseGuardLike extends Disposable, AsyncDisposable {
  /** The target the release goes to. */
  readonly target: CdpTarget;
  /** True once `dispose()` (or either `Symbol` method) was called. */
  readonly disposed: boolean;
  /** Enqueue the release once; later calls do nothing. Never throws. */
  dispose(): void;
  /** Same as `dispose()`: for `using`. */
  [Symbol.dispose](): void;
  /** Enqueue the release (once) and resolve when it settled. Never rejects. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The Drop guard of the Rust original, for JavaScript's explicit resource management: disposing
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
    this.#waiters = []; // emptied (null) again when it settles, possibly before enqueueTracked returns
    this.owner.enqueueTracked(this.target, id, this.isGroup(), (outcome) => {
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
