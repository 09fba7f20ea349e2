import { Observable, Subject, type SchedulerLike, type Subscription } from 'rxjs';
import type { ReleaseStats } from '../stats.js';
import type { ReleaseCounters } from './counters.js';

/**
 * Settlements alone (no batch completed, nothing enqueued) reach `stats$` at most once per this many
 * milliseconds of scheduler time: a target answering each call in its own macrotask would otherwise
 * give one emission per release. Four a second keeps a dashboard live — also while a batch waits on
 * a stalled target, so that no batch completes — at a cost that does not grow with the release rate.
 */
export const STATS_SETTLE_INTERVAL_MS = 250;

/**
 * `stats$`: a snapshot of the counters on subscribe, then coalesced emissions of their changes. Its
 * owner says what changed and how soon it must show:
 * - {@link handedIn} / {@link atCheckpoint}: releases enqueued (or the watched count changed) — one
 *   emission at the end of the microtask checkpoint, after the batches that checkpoint cut were sent;
 * - {@link changed}: something was sent — shown by the next emission;
 * - {@link settled}: a call settled — at most once per {@link STATS_SETTLE_INTERVAL_MS}, and only
 *   while someone subscribes;
 * - {@link reported}: a batch was reported — at once.
 * Every emission carries every change so far, so a throttled one still waiting is cancelled by it.
 * @internal
 */
export class StatsStream {
  readonly stats$: Observable<ReleaseStats>;
  readonly #counters: ReleaseCounters;
  readonly #scheduler: SchedulerLike;
  readonly #changes = new Subject<ReleaseStats>();
  #dirty = false;
  /** Requests handed to the pipeline and not yet cut into a batch (their batch is still to be sent). */
  #uncut = 0;
  /** The emission due at the end of the current microtask checkpoint. */
  #checkpoint: Subscription | null = null;
  /** The emission due {@link STATS_SETTLE_INTERVAL_MS} after the last one. */
  #throttled: Subscription | null = null;
  #emittedAt = Number.NEGATIVE_INFINITY;

  constructor(counters: ReleaseCounters, scheduler: SchedulerLike) {
    this.#counters = counters;
    this.#scheduler = scheduler;
    this.stats$ = new Observable<ReleaseStats>((subscriber) => {
      subscriber.next(counters.snapshot());
      return this.#changes.subscribe(subscriber);
    });
  }

  /** A request was handed to the pipeline: its batch is cut and sent later in this checkpoint. */
  handedIn(): void {
    this.#uncut++;
    this.atCheckpoint();
  }

  /** A batch of `size` requests was cut. */
  cut(size: number): void {
    this.#uncut -= size;
    this.#dirty = true;
  }

  /** One emission at the end of the current microtask checkpoint, however many changes. */
  atCheckpoint(): void {
    this.#dirty = true;
    this.#checkpoint ??= this.#scheduler.schedule(() => this.#atCheckpointEnd(false));
  }

  changed(): void {
    this.#dirty = true;
  }

  settled(): void {
    this.#dirty = true;
    if (this.#throttled !== null || this.#checkpoint !== null || !this.#changes.observed) return;
    const delay = Math.max(0, this.#emittedAt + STATS_SETTLE_INTERVAL_MS - this.#scheduler.now());
    this.#throttled = this.#scheduler.schedule(() => {
      this.#throttled = null;
      this.#now();
    }, delay);
  }

  /** A batch was reported (its last call settled): emit at once. */
  reported(): void {
    this.#dirty = true;
    this.#now();
  }

  /** Emits now, if anything changed since the last emission. */
  #now(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    if (this.#throttled !== null) {
      this.#throttled.unsubscribe();
      this.#throttled = null;
    }
    this.#emittedAt = this.#scheduler.now();
    this.#changes.next(this.#counters.snapshot());
  }

  /** The final snapshot, then completion: nothing is scheduled any more. */
  complete(): void {
    this.#checkpoint?.unsubscribe();
    this.#checkpoint = null;
    this.#dirty = true;
    this.#now();
    this.#changes.complete();
  }

  #atCheckpointEnd(deferred: boolean): void {
    // A batch filled up and went at once, and the rest of the checkpoint's requests wait for the
    // buffer's own flush, scheduled after this action: emit once after it, when they were sent.
    if (this.#uncut > 0 && !deferred) {
      this.#checkpoint = this.#scheduler.schedule(() => this.#atCheckpointEnd(true));
      return;
    }
    this.#checkpoint = null;
    this.#now();
  }
}
