import type { CdpTarget } from '../target.js';
import type { HandleInspection, HeldObject } from './clients/index.js';
import { leakChannel } from './channels.js';
import type { ReleaseCounters } from './counters.js';

/** What the net keeps for a handle: its objects, and how to count it out of `watched`. */
interface LeakRecord {
  readonly objects: readonly HeldObject[];
  readonly countOut: (() => void) | null;
}

/** What the leak net needs of its batcher. @internal */
export interface LeakNetOwner {
  /** The batcher, named in leak channel messages. */
  readonly batcher: object;
  readonly counters: ReleaseCounters;
  /** The watched count changed: show it at the end of this checkpoint. */
  changed(): void;
  /** Release one object of a handle collected undisposed. */
  release(target: CdpTarget, objectId: string): void;
}

/**
 * The leak net: handles registered with one `FinalizationRegistry` (made on first use), each with
 * the plain records of the objects to release if it is collected undisposed — then counted `leaked`
 * and released, late but not forgotten. Watched client handles are also counted live in `watched`
 * until disposed: where a client keeps its handles reachable (playwright) that count is all there is.
 * @internal
 */
export class LeakNet {
  readonly #owner: LeakNetOwner;
  #registry: FinalizationRegistry<LeakRecord> | null = null;
  /** Client handles watched (each counted once in `watched`). */
  readonly #watching = new WeakSet();

  constructor(owner: LeakNetOwner) {
    this.#owner = owner;
  }

  /**
   * Watches a client's handle (inspected once by the caller): counted in `watched` until disposed;
   * released and counted `leaked` if collected first. A handle disposed already, holding nothing or
   * watched already is left as it is.
   */
  watch(handle: object, client: HandleInspection): void {
    if (client.alreadyDisposed || client.objects.length === 0 || this.#watching.has(handle)) return;
    this.#watching.add(handle);
    const countOut = this.#owner.counters.watched.add(client.page());
    this.#owner.changed();
    if (client.heldByClient) {
      // Its client holds it until disposed: no collection to wait for, only the live count.
      client.onDisposed(() => this.#countOut(countOut));
      return;
    }
    const registry = this.#leaks();
    // Plain records: what the registry holds must not reach the handle, or it is never collected.
    const objects = client.objects.map(({ target, objectId }) => ({ target, objectId }));
    registry.register(handle, { objects, countOut }, handle);
    client.onDisposed(() => {
      registry.unregister(handle);
      this.#countOut(countOut);
    });
  }

  /** Registers one of the batcher's own handles (`adopt` with `trackLeaks`) until {@link disposed}. */
  track(handle: object, target: CdpTarget, objectId: string): void {
    this.#leaks().register(handle, { objects: [{ target, objectId }], countOut: null }, handle);
  }

  /** A tracked handle was disposed: nothing to do when it is collected. */
  disposed(handle: object): void {
    this.#registry?.unregister(handle);
  }

  /**
   * Made here, not inside `watch()` or `track()`: a closure created there would share that call's
   * scope — the handle included — and the registry would hold the first registered handle forever.
   */
  #leaks(): FinalizationRegistry<LeakRecord> {
    return (this.#registry ??= new FinalizationRegistry((record) => this.#leaked(record)));
  }

  #leaked({ objects, countOut }: LeakRecord): void {
    this.#owner.counters.leaked++;
    countOut?.();
    if (leakChannel.hasSubscribers) leakChannel.publish({ batcher: this.#owner.batcher, objects: objects.length });
    for (const { target, objectId } of objects) this.#owner.release(target, objectId);
  }

  #countOut(countOut: () => void): void {
    countOut();
    this.#owner.changed();
  }
}
