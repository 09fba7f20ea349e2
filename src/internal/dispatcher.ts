import type { ReleaseListener } from '../listener.js';
import type { BatchOutcome } from '../outcome.js';
import type { ReleaseRequest } from '../request.js';
import type { BatchReport } from '../stats.js';
import type { CdpTarget } from '../target.js';
import { isTargetGone } from './targetLifecycle.js';
import { OpenBatch } from './counters.js';
import { WindowRegistry } from './windowRegistry.js';
import { ReleaseCall, TargetLane, type LaneHost } from './lane.js';
import type { ResolvedBatchOptions } from './resolveOptions.js';

/** What a dispatcher tells its owner: the listener's callbacks, plus each settled batch. @internal */
export interface DispatchHooks<R extends ReleaseRequest> {
  /** Told when each batch is cut, each request is sent and each request settles. */
  readonly listener: ReleaseListener<R>;
  /** A batch's last call settled. */
  report(report: BatchReport): void;
  /** No batch is open any more: every request given so far has settled. */
  idle(): void;
  /** A settlement (told to `listener.settled` just before) has been counted, and reported if it ended its batch. */
  readonly counted?: (() => void) | undefined;
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
    const { listener } = hooks;
    this.#windows = new WindowRegistry(options.window);
    this.#hooks = hooks;
    this.#now = () => scheduler.now();
    this.#host = {
      scheduler,
      timeoutMs: options.timeoutMs,
      maxBatch: options.maxBatch,
      sent: (request) => listener.sent?.(request),
      settled: (request, outcome, wasSent) => listener.settled?.(request, outcome, wasSent),
      counted: (batch, outcome) => this.#counted(batch, outcome),
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
    this.#hooks.listener.batch?.(requests.length);
    for (const request of requests) {
      if (isValid !== undefined && !isValid(request)) this.#settleUnsent(request, batch, 'invalid');
      else if (this.#tornDown || this.isForgotten(request.target)) this.#settleUnsent(request, batch, 'dropped');
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

  #settleUnsent(request: R, batch: OpenBatch, outcome: BatchOutcome): void {
    this.#hooks.listener.settled?.(request, outcome, false);
    this.#counted(batch, outcome);
  }

  #counted(batch: OpenBatch, outcome: BatchOutcome): void {
    if (!batch.count(outcome)) {
      this.#hooks.counted?.();
      return;
    }
    this.#openBatches--;
    this.#hooks.report(batch.report(this.#now()));
    this.#hooks.counted?.();
    if (this.#openBatches === 0) this.#hooks.idle();
  }
}
