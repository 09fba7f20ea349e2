import { asyncScheduler, map, Observable, startWith, Subject, takeUntil, throttleTime, type SchedulerLike } from 'rxjs';
import { ReleaseBatcher } from './ReleaseBatcher.js';
import { isCriClient, observeCriClient } from './internal/census/criObserver.js';
import type { CensusPage, CensusRelay, CensusSnapshot, CensusTransport } from './censusSnapshot.js';
import { startRelay } from './internal/census/relay.js';
import { HeldObjectTally, type ConnectionTally, type PageTally } from './internal/census/tally.js';
import { WireConnection, type OwnTarget, type WireHooks } from './internal/census/wire.js';
import { STATS_SETTLE_INTERVAL_MS } from './internal/statsStream.js';
import { onTargetGone } from './internal/targetLifecycle.js';

export type { CensusPage, CensusRelay, CensusSnapshot, CensusTransport, ReleasedBy } from './censusSnapshot.js';

/** Options of {@link RemoteObjectCensus}. */
export interface CensusOptions {
  /** Clock and timer of `snapshot$` and of the console clean-up (tests pass a `TestScheduler`). Default: `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * Release console-argument objects as they arrive, and let V8's console storage go
   * (`Runtime.discardConsoleEntries`, once per burst of messages, on the session that saw them).
   * `true` releases through a batcher of the census's own (closed with the census); a
   * {@link ReleaseBatcher} releases through that one, counted in its stats. Default: off.
   *
   * A client that listens to `console` still gets every message and its text; an argument's handle
   * can be read in the listener itself (its calls reach Chrome before the release does), not later.
   * DevTools frontends attached to the page lose the console history the storage kept.
   */
  readonly releaseConsoleArgs?: boolean | ReleaseBatcher;
}

/**
 * Counts, from the protocol messages themselves, every remote object Chrome hands out on the
 * connections it observes — in any answer or event that carries an `objectId` — as held until it is
 * let go: `Runtime.releaseObject`, `Runtime.releaseObjectGroup` (each object's group is tracked),
 * its execution context destroyed or cleared, its session detached, its target closed or crashed, or
 * the connection closed. Whoever sends those messages is counted: this library, the client's own
 * `dispose()`, the user's own commands. It also counts the object arguments V8 keeps with its last
 * 1,000 console messages per page. {@link auditHeldObjects} checks the same figure against a heap
 * snapshot.
 *
 * It sees the wire three ways, each a drop-in for what a user already has:
 * - {@link observe}: a chrome-remote-interface client (and its flat sessions);
 * - {@link transport}: the transport of `puppeteer.connect({ transport })`;
 * - {@link relay}: a loopback CDP endpoint for any client that connects by URL.
 *
 * Objects created before the census saw the connection, or on connections it does not see, are
 * not counted (the audit counts them).
 *
 * @example
 * ```ts
 * const census = new RemoteObjectCensus();
 * const client = census.observe(await CDP({ port: 9222 }));
 * census.snapshot$.subscribe((s) => console.log(s.held, s.pages[0]?.heldBy));
 * ```
 */
export class RemoteObjectCensus {
  readonly #scheduler: SchedulerLike;
  readonly #changes = new Subject<void>();
  readonly #closing = new Subject<void>();
  readonly #tally: HeldObjectTally;
  readonly #hooks: WireHooks;
  readonly #observed = new WeakSet();
  readonly #relays = new Set<CensusRelay>();
  readonly #consoleTargets = new Set<OwnTarget>();
  readonly #discardDue = new Set<OwnTarget>();
  readonly #ownBatcher: ReleaseBatcher | null;
  readonly #batcher: ReleaseBatcher | null;
  #closed = false;

  /**
   * On subscribe the current snapshot, then one after each change, at most one per 250 ms
   * (the last state of the burst); nothing is scheduled while nothing changes. Completes on
   * {@link close}.
   */
  readonly snapshot$: Observable<CensusSnapshot>;

  constructor(options: CensusOptions = {}) {
    this.#scheduler = options.scheduler ?? asyncScheduler;
    const scheduler = this.#scheduler;
    this.#tally = new HeldObjectTally(() => scheduler.now(), () => {
      if (this.#changes.observed) this.#changes.next();
    });
    const release = options.releaseConsoleArgs;
    if (release !== undefined && release !== false && release !== true && !(release instanceof ReleaseBatcher)) {
      throw new TypeError('RemoteObjectCensus: releaseConsoleArgs must be a boolean or a ReleaseBatcher');
    }
    this.#ownBatcher = release === true ? new ReleaseBatcher({ scheduler }) : null;
    this.#batcher = release instanceof ReleaseBatcher ? release : this.#ownBatcher;
    this.#hooks = { consoleArguments: (target, ids) => this.#consoleArguments(target, ids) };
    this.snapshot$ = new Observable<CensusSnapshot>((subscriber) => {
      if (this.#closed) {
        subscriber.next(this.snapshot());
        subscriber.complete();
        return undefined;
      }
      return this.#changes.pipe(
        throttleTime(STATS_SETTLE_INTERVAL_MS, scheduler, { leading: false, trailing: true }),
        startWith(undefined),
        map(() => this.snapshot()),
        takeUntil(this.#closing),
      ).subscribe(subscriber);
    });
  }

  /**
   * Observes a chrome-remote-interface client: every command it sends (its own and the domain
   * methods) and every message it receives, on its own session and on flat sessions. Returns the
   * same client. Observing a client twice is a no-op.
   *
   * @throws TypeError when `client` is not a chrome-remote-interface client.
   */
  observe<C extends object>(client: C): C {
    this.#open('observe');
    if (!isCriClient(client)) throw new TypeError('census.observe: expected a chrome-remote-interface client (use census.transport for puppeteer-core, census.relay for clients that connect by URL)');
    if (this.#observed.has(client)) return client;
    this.#observed.add(client);
    observeCriClient(client, (root) => this.#connection(root), this.#hooks);
    return client;
  }

  /**
   * Wraps puppeteer-core's transport for `puppeteer.connect({ transport })`: the returned transport
   * passes every message through unchanged and counts what it carries.
   *
   * @example
   * ```ts
   * import { NodeWebSocketTransport } from 'puppeteer-core/internal/node/NodeWebSocketTransport.js';
   * const inner = await NodeWebSocketTransport.create(browserWSEndpoint);
   * const browser = await puppeteer.connect({ transport: census.transport(inner) });
   * ```
   * @throws TypeError when `inner` has no `send`/`close`.
   */
  transport(inner: CensusTransport): CensusTransport {
    this.#open('transport');
    if (typeof (inner as Partial<CensusTransport> | null)?.send !== 'function' || typeof inner.close !== 'function') throw new TypeError('census.transport: expected a ConnectionTransport (send, close, onmessage, onclose)');
    const wire = new WireConnection(this.#connection('(browser)'), (text) => inner.send(text), this.#hooks);
    const outer: CensusTransport = {
      send(message) {
        wire.outgoing(message);
        inner.send(message);
      },
      close() {
        inner.close();
      },
    };
    inner.onmessage = (message) => {
      if (wire.incoming(message)) outer.onmessage?.(message);
    };
    inner.onclose = () => {
      wire.closed();
      outer.onclose?.();
    };
    return outer;
  }

  /**
   * Starts a loopback CDP relay in front of `upstream` (a browser's `ws://…/devtools/browser/…`, or
   * its `http://host:port`). Clients connect to `relay.endpoint` (WebSocket) or `relay.browserURL`
   * (HTTP, `/json/version` answered as Chrome does) instead of the browser; every socket through it
   * is observed. Needs the optional peer dependency `ws`. Closed with the census.
   *
   * @example
   * ```ts
   * const relay = await census.relay(browserWSEndpoint);
   * const browser = await chromium.connectOverCDP(relay.browserURL); // playwright-core
   * ```
   */
  async relay(upstream: string): Promise<CensusRelay> {
    this.#open('relay');
    if (typeof upstream !== 'string') throw new TypeError('census.relay: upstream must be a ws:// or http:// URL string');
    const relay = await startRelay(upstream, (root) => this.#connection(root), this.#hooks);
    this.#relays.add(relay);
    const closeRelay = relay.close.bind(relay);
    return Object.defineProperty(relay, 'close', {
      value: () => {
        this.#relays.delete(relay);
        return closeRelay();
      },
    });
  }

  /** What is held now: totals and each observed page, most held first. */
  snapshot(): CensusSnapshot {
    const now = this.#scheduler.now();
    const pages = [...this.#tally.pages.values()].map((page) => pageSnapshot(page, now));
    pages.sort((a, b) => b.held - a.held || a.targetId.localeCompare(b.targetId));
    const { held, created, released } = this.#tally.totals;
    return { held, created, released, pages };
  }

  /**
   * Lets V8's console storage go on every page the census saw console messages on
   * (`Runtime.discardConsoleEntries`): the object arguments it kept are let go too.
   */
  async discardConsoleEntries(): Promise<void> {
    await Promise.all([...this.#consoleTargets].map((target) => target.send('Runtime.discardConsoleEntries').then(() => undefined, () => undefined)));
  }

  /** Stops observing new connections, closes its relays (and its own batcher), completes `snapshot$`. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.next();
    this.#closing.complete();
    await Promise.all([...this.#relays].map((relay) => relay.close()));
    await this.#ownBatcher?.close();
  }

  #open(what: string): void {
    if (this.#closed) throw new Error(`census.${what}: the census is closed`);
  }

  #connection(root: string): ConnectionTally {
    return this.#tally.connection(root);
  }

  #consoleArguments(target: OwnTarget, ids: readonly string[]): void {
    if (!this.#consoleTargets.has(target)) {
      this.#consoleTargets.add(target);
      onTargetGone(target, () => this.#consoleTargets.delete(target));
    }
    const batcher = this.#batcher;
    if (batcher === null || batcher.closed) return;
    for (const id of ids) batcher.release(target, id);
    if (this.#discardDue.has(target)) return;
    this.#discardDue.add(target);
    this.#scheduler.schedule(() => {
      this.#discardDue.delete(target);
      target.send('Runtime.discardConsoleEntries').then(() => undefined, () => undefined);
    });
  }
}

function pageSnapshot(page: PageTally, now: number): CensusPage {
  const oldest = page.oldestAt();
  return {
    targetId: page.targetId,
    url: page.url,
    held: page.held,
    created: page.created,
    released: page.released,
    releasedBy: { ...page.releasedBy },
    heldBy: Object.fromEntries(page.heldBy),
    oldestHeldMs: oldest === null ? null : Math.max(0, now - oldest),
  };
}
