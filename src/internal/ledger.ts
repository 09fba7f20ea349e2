import { Subject, type Observable } from 'rxjs';
import type { ReleaseOutcome } from '../outcome.js';
import { isReleasableId, type ReleaseRequest } from '../request.js';
import type { BatchReport, ReleaseStats, TargetLoad } from '../stats.js';
import { isCdpTarget, type CdpTarget } from '../target.js';
import { ReleaseCounters } from './counters.js';
import { FlushBarrier, type FlushEpoch } from './flushBarrier.js';
import { runReleasePipeline, type ReleasePipeline } from './pipeline.js';
import type { ResolvedBatchOptions } from './resolveOptions.js';
import { StatsStream } from './statsStream.js';

/** Told how a tracked release ended (a handle or scope waiting for its release). @internal */
export type SettledCallback = (outcome: ReleaseOutcome) => void;

/** A request as the ledger hands it to the pipeline: with its flush epoch and deduplication key. */
type LedgerRequest = ReleaseRequest & {
  readonly key: string;
  readonly epoch: FlushEpoch;
  readonly onSettled: SettledCallback | undefined;
};

/** Each batcher's ledger, for the specs that count what they enqueue (`ledgerOf`). */
const ledgers = new WeakMap<object, ReleaseLedger>();

/** The ledger of `owner` (a `ReleaseBatcher`), as registered by {@link ReleaseLedger.ownedBy}. @internal */
export function ledgerOf(owner: object): ReleaseLedger {
  const ledger = ledgers.get(owner);
  if (ledger === undefined) throw new TypeError('not a ReleaseBatcher');
  return ledger;
}

/** Object groups share the deduplication set with object ids; this prefix keeps them apart. */
const GROUP_KEY_PREFIX = '\u0000group:';

/**
 * A batcher's books: every release is counted once on the way in (`invalid`, `dropped` and
 * `duplicate` end there; the rest enter `pending` and the flush barrier) and once on the way back,
 * from the pipeline's one settlement callback — its outcome, its deduplication key let go, its
 * batch's report on `batches$` and in `stats$`, then its flush epoch left. So a flush never ends
 * before the report of the batch that held its last release.
 * @internal
 */
export class ReleaseLedger {
  readonly counters = new ReleaseCounters();
  readonly stats: StatsStream;
  readonly batches$: Observable<BatchReport>;
  readonly #batches = new Subject<BatchReport>();
  readonly #barrier = new FlushBarrier();
  readonly #requests = new Subject<LedgerRequest>();
  /** (target → keys pending or in flight): the deduplication index. Emptied entries are deleted. */
  readonly #keys = new Map<CdpTarget, Set<string>>();
  readonly #pipeline: ReleasePipeline<LedgerRequest>;
  #open = true;

  constructor(options: ResolvedBatchOptions) {
    this.stats = new StatsStream(this.counters, options.scheduler);
    this.batches$ = this.#batches.asObservable();
    this.#pipeline = runReleasePipeline(this.#requests, options, {
      cut: (size) => {
        this.counters.batches++;
        this.stats.cut(size);
      },
      sent: () => {
        this.counters.pending--;
        this.counters.inFlight++;
        this.stats.changed();
      },
      settled: (request, outcome, wasSent, report, error) => this.#settled(request, outcome, wasSent, report, error),
      complete: () => undefined, // the ledger ends its streams itself, in end()
      error: () => undefined, // its request Subject never errors
    });
  }

  /** Registers `owner` as the batcher this ledger keeps the books of (see {@link ledgerOf}). */
  ownedBy(owner: object): this {
    ledgers.set(owner, this);
    this.#pipeline.dispatcher.ownedBy(owner);
    return this;
  }

  /** The targets with releases waiting for a slot or in flight now. */
  targets(): TargetLoad[] {
    return this.#pipeline.dispatcher.lanes();
  }

  /** False once the batcher stopped taking releases (it is closing). */
  get taking(): boolean {
    return this.#open;
  }

  get snapshot(): ReleaseStats {
    return this.counters.snapshot();
  }

  /**
   * Counts one release in and, unless it ends at once, hands it to the pipeline. When it ends at
   * once (invalid, dropped, duplicate) `onSettled` is called before this returns. Never throws.
   */
  enqueue(target: CdpTarget, id: string, group: boolean, onSettled?: SettledCallback): void {
    const immediate = this.#admit(target, id, group, onSettled);
    if (immediate === null) return;
    this.endAtOnce(immediate);
    onSettled?.(immediate);
  }

  /** A release that ends as soon as it is counted, with nothing to enqueue. */
  endAtOnce(outcome: 'invalid' | 'duplicate' | 'dropped'): void {
    this.counters.enqueued++;
    this.counters.outcomes[outcome]++;
    this.stats.atCheckpoint();
  }

  forget(target: CdpTarget): void {
    this.#pipeline.dispatcher.forget(target);
  }

  /** Calls `done` once every release enqueued before this call has settled (at once if none is out). */
  whenFlushed(done: () => void): void {
    this.#barrier.whenFlushed(done);
  }

  /** Later releases are counted `dropped`. */
  stopTaking(): void {
    this.#open = false;
  }

  /** Once flushed: the final `stats$` snapshot, then every stream completes and the pipeline ends. */
  end(): void {
    this.stats.complete();
    this.#requests.complete();
    this.#batches.complete();
    this.#pipeline.teardown();
  }

  /** Counts the release in and hands it to the pipeline, or says how it ends at once (uncounted). */
  #admit(target: CdpTarget, id: string, group: boolean, onSettled: SettledCallback | undefined): 'invalid' | 'dropped' | 'duplicate' | null {
    if (!isCdpTarget(target) || !isReleasableId(id)) return 'invalid';
    if (!this.#open || this.#pipeline.dispatcher.isForgotten(target)) return 'dropped';
    const key = group ? GROUP_KEY_PREFIX + id : id;
    let keys = this.#keys.get(target);
    if (keys === undefined) {
      keys = new Set<string>();
      this.#keys.set(target, keys);
    }
    if (keys.has(key)) return 'duplicate';
    keys.add(key);
    this.counters.enqueued++;
    this.counters.pending++;
    this.#requests.next({
      target,
      objectId: group ? undefined : id,
      objectGroup: group ? id : undefined,
      key,
      epoch: this.#barrier.enter(),
      onSettled,
    } as LedgerRequest);
    this.stats.handedIn(); // after: its emission is scheduled behind the buffer's flush
    return null;
  }

  #settled(request: LedgerRequest, outcome: ReleaseOutcome, wasSent: boolean, report: BatchReport | undefined, error: string | undefined): void {
    const counters = this.counters;
    if (wasSent) counters.inFlight--;
    else counters.pending--;
    counters.outcomes[outcome]++;
    if (error !== undefined && (outcome === 'failed' || outcome === 'gone')) counters.errors.note(outcome, error);
    const keys = this.#keys.get(request.target);
    if (keys !== undefined && keys.delete(request.key) && keys.size === 0) this.#keys.delete(request.target);
    request.onSettled?.(outcome);
    if (report === undefined) {
      // Settlements show up even when no batch completes (a batch holding a call to a stalled
      // target completes only at its timeout), throttled in time.
      this.stats.settled();
    } else {
      this.#batches.next(report);
      this.stats.reported();
    }
    this.#barrier.leave(request.epoch);
  }
}
