import type { BatchOutcome } from '../outcome.js';
import type { ReleaseRequest } from '../request.js';
import type { BatchReport, TargetLoad } from '../stats.js';
import type { CdpTarget } from '../target.js';
import { batchChannel } from './channels.js';
import { isTargetGone } from './targetLifecycle.js';
import { OpenBatch } from './counters.js';
import { WindowRegistry } from './windowRegistry.js';
import { NOT_SENT_TARGET_GONE, NOT_SENT_TORN_DOWN, ReleaseCall, TargetLane, type LaneHost } from './lane.js';
import type { ResolvedBatchOptions } from './resolveOptions.js';

/** Why a request ends unsent here: the `error` of its settlement. */
const INVALID = 'not sent: not a valid release request';

/**
 * What a dispatcher tells its owner, each request on one path down (`cut`, `sent`) and one way back
 * (`settled`). Called synchronously; must not throw. @internal
 */
export interface DispatchHooks<R extends ReleaseRequest> {
  /** A batch of `size` requests was handed to the dispatcher. */
  readonly cut?: ((size: number) => void) | undefined;
  /** `request` is being sent now. */
  readonly sent?: ((request: R) => void) | undefined;
  /**
   * `request` ended, exactly once per request, after its outcome was counted into its batch.
   * `report`: that batch's report when this settlement was its last, else `undefined`. `error`: why
   * it did not end `released` (an error's message or the library's reason), else `undefined`.
   */
  settled(request: R, outcome: BatchOutcome, wasSent: boolean, report: BatchReport | undefined, error: string | undefined): void;
  /** No batch is open any more: every request given so far has settled. */
  idle(): void;
}

/**
 * The engine behind {@link batchReleases} and {@link ReleaseBatcher}: takes each batch as it is
 * cut, hands every call to its target's {@link TargetLane} (which bounds, sends, times out and
 * refills), counts each batch's outcomes and reports it once its last call settled. It never waits
 * on in-flight batches. Owns the lanes (one per target with calls outstanding, deleted when idle) and
 * the targets forgotten in this pipeline.
 * @internal
 */
export class ReleaseDispatcher<R extends ReleaseRequest> {
  readonly #lanes = new Map<CdpTarget, TargetLane<R>>();
  /** Targets forgotten in this pipeline: their later requests are dropped unsent. Weak. */
  readonly #forgotten = new WeakSet<CdpTarget>();
  readonly #windows: WindowRegistry;
  readonly #hooks: DispatchHooks<R>;
  readonly #host: LaneHost<R>;
  readonly #now: () => number;
  #batchIndex = 0;
  #openBatches = 0;
  #tornDown = false;

  constructor(options: ResolvedBatchOptions, hooks: DispatchHooks<R>) {
    const { scheduler } = options;
    this.#windows = new WindowRegistry(options.window);
    this.#hooks = hooks;
    this.#now = () => scheduler.now();
    this.#host = {
      scheduler,
      clock: options.clock,
      owner: null,
      timeoutMs: options.timeoutMs,
      maxBatch: options.maxBatch,
      sent: (request) => hooks.sent?.(request),
      settled: (request, batch, outcome, wasSent, error) => this.#settled(request, batch, outcome, wasSent, error),
      targetGone: (target) => this.forget(target),
      idle: (lane) => {
        if (this.#lanes.get(lane.target) === lane) this.#lanes.delete(lane.target);
      },
    };
  }

  /** No batch is open: every request given so far has settled. */
  get idle(): boolean {
    return this.#openBatches === 0;
  }

  /** Requests to `target` are dropped unsent: it was forgotten here, or marked gone process-wide. */
  isForgotten(target: CdpTarget): boolean {
    return this.#forgotten.has(target) || isTargetGone(target);
  }

  /**
   * One batch, as cut. `isValid`, when given, is asked once per request: an invalid one is counted
   * `invalid` in its batch and never sent. Without it the requests were validated by the caller.
   */
  dispatch(requests: readonly R[], isValid?: (request: R) => boolean): void {
    const batch = new OpenBatch(++this.#batchIndex, requests.length, this.#now());
    this.#openBatches++;
    this.#hooks.cut?.(requests.length);
    for (const request of requests) {
      if (isValid !== undefined && !isValid(request)) this.#settled(request, batch, 'invalid', false, INVALID);
      else if (this.#tornDown || this.isForgotten(request.target)) this.#settled(request, batch, 'dropped', false, this.#tornDown ? NOT_SENT_TORN_DOWN : NOT_SENT_TARGET_GONE);
      else this.#laneOf(request.target).add(new ReleaseCall(request, batch));
    }
  }

  /**
   * The target is gone: its calls waiting for a slot are settled `dropped`, its calls in flight
   * `gone` at once, and its later requests are dropped unsent.
   */
  forget(target: CdpTarget): void {
    this.#forgotten.add(target);
    this.#lanes.get(target)?.forget();
  }

  /**
   * The subscriber went away: calls still waiting for a slot are settled `dropped`, later batches are
   * dropped whole; calls in flight keep their handlers and timeouts, so each still ends in exactly
   * one outcome (within `timeoutMs` at the latest).
   */
  teardown(): void {
    this.#tornDown = true;
    for (const lane of [...this.#lanes.values()]) lane.dropWaiting();
  }

  #laneOf(target: CdpTarget): TargetLane<R> {
    let lane = this.#lanes.get(target);
    if (lane === undefined) {
      lane = new TargetLane<R>(target, this.#host, (t, overCri) => this.#windows.windowOf(t, overCri));
      this.#lanes.set(target, lane);
    }
    return lane;
  }

  /** Names `owner` (the batcher) in the channel messages of this dispatcher and its lanes. */
  ownedBy(owner: object): void {
    this.#host.owner = owner;
  }

  /** The targets with calls waiting or in flight now, with their lanes' counts and windows. */
  lanes(): TargetLoad[] {
    const loads: TargetLoad[] = [];
    for (const lane of this.#lanes.values()) loads.push({ target: lane.target, waiting: lane.waiting, inFlight: lane.inFlight, window: lane.window });
    return loads;
  }

  #settled(request: R, batch: OpenBatch, outcome: BatchOutcome, wasSent: boolean, error: string | undefined): void {
    if (!batch.count(outcome)) {
      this.#hooks.settled(request, outcome, wasSent, undefined, error);
      return;
    }
    this.#openBatches--;
    const report = batch.report(this.#now());
    if (batchChannel.hasSubscribers) batchChannel.publish({ batcher: this.#host.owner, report });
    this.#hooks.settled(request, outcome, wasSent, report, error);
    if (this.#openBatches === 0) this.#hooks.idle();
  }
}
