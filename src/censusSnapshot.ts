/**
 * What the census shows, and the shapes it plugs into: the types of `RemoteObjectCensus`'s
 * snapshots, its relay and its puppeteer-core transport.
 */

/** How a held object was let go: `Runtime.releaseObject`, `Runtime.releaseObjectGroup`, its context / session / target going, or discarded from V8's console storage. */
export type ReleasedBy = 'id' | 'group' | 'gone' | 'discarded';

/** One page (any target: page, iframe, worker) in a {@link CensusSnapshot}. */
export interface CensusPage {
  readonly targetId: string;
  readonly url: string;
  /** Remote objects Chrome holds for the observed sessions of this page now. */
  readonly held: number;
  readonly created: number;
  readonly released: number;
  /** How they were let go: by `Runtime.releaseObject`, by `Runtime.releaseObjectGroup`, by their context / session / target going, or discarded from V8's console storage. */
  readonly releasedBy: Readonly<Record<ReleasedBy, number>>;
  /** Held now, by the CDP method or event that created them (`console storage`: kept with V8's stored console messages). */
  readonly heldBy: Readonly<Record<string, number>>;
  /** Age of the oldest object held, or `null` when none is. */
  readonly oldestHeldMs: number | null;
}

/** What the census counted: totals over everything observed, and each page observed now. */
export interface CensusSnapshot {
  readonly held: number;
  readonly created: number;
  readonly released: number;
  /** Most held first; a closed page leaves the list. */
  readonly pages: readonly CensusPage[];
}

/** puppeteer-core's `ConnectionTransport`, the shape `puppeteer.connect({ transport })` takes. */
export interface CensusTransport {
  send(message: string): void;
  close(): void;
  onmessage?: (message: string) => void;
  onclose?: () => void;
}

/** A relay started by `census.relay(upstream)`. */
export interface CensusRelay {
  /** The relay's browser endpoint, `ws://127.0.0.1:PORT/devtools/browser/…`: pass it where the browser's would go. */
  readonly endpoint: string;
  /** `http://127.0.0.1:PORT`: answers `/json/version`, for `connectOverCDP(url)` and `browserURL`. */
  readonly browserURL: string;
  /** Sockets open through the relay now (each client socket with its browser socket is one). */
  readonly connections: number;
  /** Stops listening and closes every socket pair. Idempotent. */
  close(): Promise<void>;
}
