import type { CdpTarget } from '../../target.js';

/** One remote object behind a client's handle, and the session it belongs to. @internal */
export interface HeldObject {
  readonly target: CdpTarget;
  readonly objectId: string;
}

/**
 * The page a client's handle belongs to, for the per-page count of watched handles: `key` tells
 * pages apart (a puppeteer session, a playwright Page), `url()` reads the page's address now. Neither
 * may reach the handle itself (the leak net holds this record while it waits for the handle).
 * @internal
 */
export interface HandlePage {
  readonly key: object;
  url(): string;
  /** Calls `listener` when the page closes, if the client disposes its handles then (playwright). */
  whenClosed?(listener: () => void): void;
}

/** What the batcher learns of a client's handle. @internal */
export interface HandleInspection {
  /** The remote objects to release; empty for a puppeteer handle to a primitive (nothing is held). */
  readonly objects: readonly HeldObject[];
  /** The client had disposed it already (its release was sent by the client). */
  readonly alreadyDisposed: boolean;
  /** Whether the client keeps the handle reachable until it is disposed (playwright's connection
   *  does): then a `FinalizationRegistry` never sees it dropped, and only the live count helps. */
  readonly heldByClient: boolean;
  /** The page it belongs to, or null when it cannot be told. Read only by `watch()` (it costs). */
  page(): HandlePage | null;
  /** Whether it reads disposed now (by its client, or by {@link markDisposed}). */
  disposedNow(): boolean;
  /** Make the handle read disposed, with a `dispose()` that sends nothing; the release is the batcher's. */
  markDisposed(): void;
  /**
   * Calls `listener` once when the handle is disposed — by its client (`dispose()`, `using`), by
   * {@link markDisposed}, or (playwright) by its page closing — whichever comes first. One listener
   * per handle (the last one set).
   */
  onDisposed(listener: () => void): void;
}

/** A value that is not a handle an adapter understands, and why. @internal */
export interface NotAHandle {
  readonly reason: string;
}
