import type { SchedulerLike, Subscription } from 'rxjs';
import { AdaptiveWindow } from './adaptiveWindow.js';
import { classifyReleaseError, type ReleaseOutcome } from './outcome.js';
import { ADAPTIVE_MIN_IN_FLIGHT, ADAPTIVE_START_IN_FLIGHT_CRI, type ResolvedBatchOptions } from './options.js';
import { ReleaseQueue } from './queue.js';
import { isValidRequest, type ReleaseRequest } from './request.js';
import type { BatchReport } from './stats.js';
import type { CdpTarget } from './target.js';
import { corkForThisTick, socketOf } from './transport.js';
import { isTargetGone, markTargetGone, watchTarget } from './targetLifecycle.js';

/**
 * Callbacks the dispatcher makes as requests move through it; the batcher keeps its statistics and
 * deduplication with them. They run synchronously, must not throw, and must not assume any order
 * between different requests' callbacks.
 */
export interface ReleaseListener<R extends ReleaseRequest = ReleaseRequest> {
  /** A batch of `size` requests was cut from the source and handed to the dispatcher. */
  batch?(size: number): void;
  /** `request` is being sent to its target now (it leaves `pending`, enters `inFlight`). */
  sent?(request: R): void;
  /**
   * `request` ended; called exactly once per request given to the dispatcher. `wasSent`: it had been
   * sent (it leaves `inFlight`), else it ends unsent (it leaves `pending`) — `dropped`, `invalid`, or
   * `timedOut` for the backlog of a target presumed stuck.
   */
  settled?(request: R, outcome: ReleaseOutcome, wasSent: boolean): void;
}

/**
 * A release call overtaken by the answer to a later one on the same target is judged lost (settled
 * `gone`) once it is still unanswered this long after. Real answers come in order, within
 * milliseconds of each other; a second is far beyond any reordering a client could introduce.
 */
export const LOST_GRACE_MS = 1_000;

const enum CallState {
  Waiting,
  Sent,
  Settled,
}

/** The open batch a call belongs to: counts its outcomes until the last one settles. */
class BatchState {
  remaining: number;
  released = 0;
  gone = 0;
  failed = 0;
  timedOut = 0;
  dropped = 0;
  invalid = 0;

  constructor(
    readonly index: number,
    readonly size: number,
    readonly startedAt: number,
  ) {
    this.remaining = size;
  }

  count(outcome: ReleaseOutcome): void {
    switch (outcome) {
      case 'released': this.released++; break;
      case 'gone': this.gone++; break;
      case 'failed': this.failed++; break;
      case 'timedOut': this.timedOut++; break;
      case 'dropped': this.dropped++; break;
      default: this.invalid++; break;
    }
  }

  report(now: number): BatchReport {
    return {
      index: this.index,
      size: this.size,
      released: this.released,
      gone: this.gone,
      failed: this.failed,
      timedOut: this.timedOut,
      dropped: this.dropped,
      invalid: this.invalid,
      durationMs: now - this.startedAt,
    };
  }
}

/** One release call. Holds its request (and so its target) only until it settles. */
class ReleaseCall<R extends ReleaseRequest> {
  state = CallState.Waiting;
  deadline = 0;
  /** Send order within its lane. */
  seq = 0;

  constructor(
    public request: R | null,
    public lane: TargetLane<R> | null,
    readonly batch: BatchState,
  ) {}
}

/**
 * Everything the dispatcher holds for one target: calls waiting for a slot, calls sent in send
 * order (for the timeout sweep), and the timer of the oldest one. Deleted as soon as the target has
 * nothing waiting and nothing in flight, so a settled target is never retained.
 */
class TargetLane<R extends ReleaseRequest> {
  readonly waiting = new ReleaseQueue<ReleaseCall<R>>();
  readonly sent = new ReleaseQueue<ReleaseCall<R>>();
  inFlight = 0;
  /** Send sequence of the lane's calls, and the highest one answered so far. */
  sendSeq = 0;
  answeredSeq = 0;
  /** Calls sent before `overtakenBy` that are still unanswered were overtaken at `overtakenAt`. */
  overtakenBy = 0;
  overtakenAt = 0;
  timer: Subscription | null = null;
  pumping = false;
  /** The client's socket when it can be corked (chrome-remote-interface), found once per lane. */
  readonly socket: ReturnType<typeof socketOf>;
  /** Stops listening for the target going away; the lane listens only while it exists. */
  unwatch: (() => void) | null = null;

  /** The adaptive window, or null for a fixed `maxInFlight`. */
  window: AdaptiveWindow | null = null;

  constructor(readonly target: CdpTarget) {
    this.socket = socketOf(target);
  }
}

/**
 * The dispatcher behind {@link batchReleases}: sends each batch as concurrent calls without waiting
 * on earlier batches, keeps at most `maxInFlight` calls outstanding per target (the rest wait, in
 * order), gives every call its own error and timeout handling, and reports each batch once its last
 * call settled.
 */
export class ReleaseDispatcher<R extends ReleaseRequest> {
  readonly #lanes = new Map<CdpTarget, TargetLane<R>>();
  /** Targets forgotten here: their later requests are dropped unsent. Weak: never retains them. */
  readonly #forgotten = new WeakSet<CdpTarget>();
  readonly #maxInFlight: number;
  readonly #maxBatch: number;
  /** Each target's adaptive window, kept between bursts (its lane is deleted when idle). Weak. */
  readonly #windows: WeakMap<CdpTarget, AdaptiveWindow> | null;
  readonly #timeoutMs: number;
  /** How long a call overtaken by a later answer may still be answered before it counts as lost. */
  readonly #lostGraceMs: number;
  readonly #scheduler: SchedulerLike;
  readonly #listener: ReleaseListener<R>;
  readonly #report: (report: BatchReport) => void;
  #batchIndex = 0;
  #openBatches = 0;
  #tornDown = false;

  /** Called whenever the last open batch settles. */
  onIdle: (() => void) | null = null;

  constructor(options: ResolvedBatchOptions, listener: ReleaseListener<R>, report: (report: BatchReport) => void) {
    this.#maxInFlight = options.maxInFlight;
    this.#maxBatch = options.maxBatch;
    this.#windows = options.adaptive ? new WeakMap() : null;
    this.#timeoutMs = options.timeoutMs;
    this.#lostGraceMs = Math.min(LOST_GRACE_MS, options.timeoutMs);
    this.#scheduler = options.scheduler;
    this.#listener = listener;
    this.#report = report;
  }

  /** No batch is open: every request given so far has settled. */
  get idle(): boolean {
    return this.#openBatches === 0;
  }

  dispatch(requests: readonly R[]): void {
    const batch = new BatchState(++this.#batchIndex, requests.length, this.#scheduler.now());
    this.#openBatches++;
    this.#listener.batch?.(requests.length);
    for (const request of requests) {
      if (this.#tornDown || !isValidRequest(request)) {
        this.#settle(new ReleaseCall<R>(request, null, batch), this.#tornDown ? 'dropped' : 'invalid');
        continue;
      }
      if (this.#forgotten.has(request.target) || isTargetGone(request.target)) {
        this.#settle(new ReleaseCall<R>(request, null, batch), 'dropped');
        continue;
      }
      let lane = this.#lanes.get(request.target);
      if (lane === undefined) {
        lane = new TargetLane<R>(request.target);
        lane.window = this.#windowOf(lane);
        this.#lanes.set(request.target, lane);
        lane.unwatch = watchTarget(request.target, (target) => this.forget(target));
      }
      const call = new ReleaseCall<R>(request, lane, batch);
      if (lane.inFlight < this.#limitOf(lane) && lane.waiting.length === 0) {
        this.#send(call, lane);
      } else {
        lane.waiting.push(call);
      }
    }
  }

  /**
   * The lane's adaptive window (null for a fixed one), kept per target across bursts. It starts at
   * chrome-remote-interface's best window for that client, at the cap for any other (a puppeteer-core
   * or playwright-core session, a raw client: they keep gaining up to ~64 × 16), and moves from there.
   */
  #windowOf(lane: TargetLane<R>): AdaptiveWindow | null {
    if (this.#windows === null) return null;
    let window = this.#windows.get(lane.target);
    if (window === undefined) {
      const start = lane.socket !== null ? ADAPTIVE_START_IN_FLIGHT_CRI : this.#maxInFlight;
      window = new AdaptiveWindow(start, Math.min(ADAPTIVE_MIN_IN_FLIGHT, this.#maxInFlight), this.#maxInFlight);
      this.#windows.set(lane.target, window);
    }
    return window;
  }

  #limitOf(lane: TargetLane<R>): number {
    return lane.window === null ? this.#maxInFlight : lane.window.limit;
  }

  /**
   * The subscriber went away: calls still waiting for a slot are settled as `dropped`; calls in
   * flight keep their handlers and timeouts, so each still ends in exactly one outcome (within
   * `timeoutMs` at the latest).
   */
  teardown(): void {
    this.#tornDown = true;
    for (const lane of [...this.#lanes.values()]) {
      for (const call of lane.waiting.drain()) this.#settle(call, 'dropped');
      this.#releaseLaneIfIdle(lane);
    }
  }

  /**
   * The target is gone: its calls waiting for a slot are settled `dropped` (never sent), its calls
   * in flight `gone` at once — after a renderer crash Chrome answers nothing on that session, so
   * waiting would hold each for `timeoutMs` — and its later requests are dropped unsent.
   */
  forget(target: CdpTarget): void {
    this.#forgotten.add(target);
    const lane = this.#lanes.get(target);
    if (lane === undefined) return;
    const wasPumping = lane.pumping; // forgotten from inside a send (a "target closed" thrown at once)
    lane.pumping = true; // nothing may be sent to it while it is being emptied
    try {
      for (const call of lane.waiting.drain()) this.#settle(call, 'dropped');
      for (const call of lane.sent.drain()) if (call.state === CallState.Sent) this.#settle(call, 'gone');
    } finally {
      lane.pumping = wasPumping;
    }
    this.#releaseLaneIfIdle(lane);
  }

  #send(call: ReleaseCall<R>, lane: TargetLane<R>): void {
    const request = call.request as R;
    call.state = CallState.Sent;
    call.deadline = this.#scheduler.now() + this.#timeoutMs;
    lane.inFlight++;
    call.seq = ++lane.sendSeq;
    lane.sent.push(call);
    this.#ensureTimer(lane);
    this.#listener.sent?.(request);
    if (lane.socket !== null) corkForThisTick(lane.socket);

    let answer: unknown;
    try {
      answer = request.objectId !== undefined
        ? lane.target.send('Runtime.releaseObject', { objectId: request.objectId })
        : lane.target.send('Runtime.releaseObjectGroup', { objectGroup: request.objectGroup });
    } catch (error) {
      // A client that throws synchronously (closed connection, hostile target): one outcome, no throw.
      this.#settleError(call, error);
      return;
    }
    this.#await(call, answer);
  }

  #await(call: ReleaseCall<R>, answer: unknown): void {
    if (answer === null || (typeof answer !== 'object' && typeof answer !== 'function')) {
      // Not a promise: the target answered synchronously with a value.
      this.#settle(call, 'released');
      return;
    }
    try {
      if (typeof (answer as { then?: unknown }).then !== 'function') {
        this.#settle(call, 'released');
        return;
      }
      (answer as PromiseLike<unknown>).then(
        () => {
          this.#answered(call);
          this.#settle(call, 'released');
        },
        (error: unknown) => {
          this.#answered(call);
          this.#settleError(call, error);
        },
      );
    } catch (error) {
      this.#settleError(call, error);
    }
  }

  /**
   * Chrome answers one session's release calls in the order they were sent (one renderer thread
   * runs them). An answer that overtakes calls sent before it means those were dropped unanswered —
   * as Chrome does with the calls in flight to a renderer that a cross-origin navigation swaps out.
   * They are given {@link LOST_GRACE_MS} more, then settled `gone` (their document is gone), instead
   * of holding the lane until `timeoutMs`.
   */
  #answered(call: ReleaseCall<R>): void {
    const lane = call.lane;
    if (lane === null || call.state !== CallState.Sent) return;
    if (call.seq > lane.answeredSeq) lane.answeredSeq = call.seq;
    if (lane.overtakenBy !== 0) return; // already watching an earlier overtaking
    const head = lane.sent.peek();
    if (head !== undefined && head !== call && head.state === CallState.Sent && head.seq < call.seq) {
      lane.overtakenBy = call.seq;
      lane.overtakenAt = this.#scheduler.now();
      this.#rearmTimer(lane);
    }
  }

  #settleError(call: ReleaseCall<R>, error: unknown): void {
    const { outcome, targetGone } = classifyReleaseError(error);
    const target = call.lane?.target;
    if (targetGone && target !== undefined) {
      // `Session with given id not found.`, `Target closed`, `WebSocket connection closed`, ...: every
      // other call to this target would fail the same way (or never be answered). End it before this
      // call's slot can be refilled: every dispatcher with a lane for it — this one too, through the
      // watch set up with the lane — forgets it, which settles this call `gone` as well.
      markTargetGone(target);
    }
    this.#settle(call, outcome);
  }

  #settle(call: ReleaseCall<R>, outcome: ReleaseOutcome): void {
    if (call.state === CallState.Settled) return; // a late answer after a timeout, or a second answer
    const wasSent = call.state === CallState.Sent;
    call.state = CallState.Settled;
    const request = call.request as R;
    const lane = call.lane;
    call.request = null;
    call.lane = null;
    this.#listener.settled?.(request, outcome, wasSent);

    if (lane !== null && wasSent) {
      lane.inFlight--;
      if (lane.window !== null) {
        if (lane.waiting.length > 0) lane.window.backloggedSettle(this.#scheduler.now());
        else lane.window.drained();
      }
      // Calls mostly settle in send order; drop settled ones from the head so `sent` stays as
      // short as what is really outstanding.
      let head = lane.sent.peek();
      while (head !== undefined && head.state === CallState.Settled) {
        lane.sent.shift();
        head = lane.sent.peek();
      }
      this.#pump(lane);
    }

    const batch = call.batch;
    batch.count(outcome);
    if (--batch.remaining === 0) {
      this.#openBatches--;
      this.#report(batch.report(this.#scheduler.now()));
      if (this.#openBatches === 0) this.onIdle?.();
    }
  }

  /** Sends waiting calls while the lane has free slots. Iterative: a target whose `send` throws
   *  synchronously must not recurse once per waiting call. */
  #pump(lane: TargetLane<R>): void {
    if (lane.pumping) return;
    // Under a backlog, refill in chunks rather than one call per answer: Chrome and the clients
    // handle a burst of calls far more cheaply than the same calls trickling out one per tick.
    const limit = this.#limitOf(lane);
    const free = limit - lane.inFlight;
    const refillChunk = Math.max(1, Math.min(this.#maxBatch, Math.floor(limit / 4)));
    if (lane.inFlight > 0 && free < refillChunk && free < lane.waiting.length) return;
    lane.pumping = true;
    try {
      while (lane.inFlight < limit && lane.waiting.length > 0) {
        this.#send(lane.waiting.shift() as ReleaseCall<R>, lane);
      }
    } finally {
      lane.pumping = false;
    }
    this.#releaseLaneIfIdle(lane);
  }

  #releaseLaneIfIdle(lane: TargetLane<R>): void {
    if (lane.inFlight === 0 && lane.waiting.length === 0 && !lane.pumping) {
      if (lane.timer !== null) {
        lane.timer.unsubscribe();
        lane.timer = null;
      }
      if (lane.unwatch !== null) {
        lane.unwatch();
        lane.unwatch = null;
      }
      if (this.#lanes.get(lane.target) === lane) this.#lanes.delete(lane.target);
    }
  }

  /** One timer per lane, due when its oldest outstanding call times out (or is judged lost). */
  #ensureTimer(lane: TargetLane<R>): void {
    const head = lane.sent.peek();
    if (head === undefined || lane.timer !== null) return;
    const due = lane.overtakenBy !== 0 ? Math.min(head.deadline, lane.overtakenAt + this.#lostGraceMs) : head.deadline;
    const delay = Math.max(0, due - this.#scheduler.now());
    lane.timer = this.#scheduler.schedule(() => this.#sweep(lane), delay);
  }

  #rearmTimer(lane: TargetLane<R>): void {
    if (lane.timer !== null) {
      lane.timer.unsubscribe();
      lane.timer = null;
    }
    this.#ensureTimer(lane);
  }

  #sweep(lane: TargetLane<R>): void {
    lane.timer = null;
    const now = this.#scheduler.now();
    let timedOut = false;
    const wasPumping = lane.pumping;
    lane.pumping = true; // a slot freed by a timeout must not be refilled before the backlog is judged
    try {
      const lostBefore = lane.overtakenBy !== 0 && now >= lane.overtakenAt + this.#lostGraceMs ? lane.overtakenBy : 0;
      if (lostBefore !== 0) lane.overtakenBy = 0;
      let head = lane.sent.peek();
      while (head !== undefined && (head.state === CallState.Settled || head.deadline <= now || head.seq < lostBefore)) {
        lane.sent.shift();
        if (head.state !== CallState.Settled) {
          if (head.deadline <= now) {
            this.#settle(head, 'timedOut');
            timedOut = true;
          } else {
            this.#settle(head, 'gone'); // overtaken and still unanswered: dropped by Chrome
          }
        }
        head = lane.sent.peek();
      }
      // Calls overtaken by a later answer than the one just judged: watch them from now.
      if (lane.overtakenBy === 0 && head !== undefined && head.state === CallState.Sent && head.seq < lane.answeredSeq) {
        lane.overtakenBy = lane.answeredSeq;
        lane.overtakenAt = now;
      }
      // A target that let a call go unanswered for `timeoutMs` is presumed stuck (a renderer in an
      // endless loop, a hung browser): its backlog is settled `timedOut` now, unsent, instead of being
      // fed to it one window per `timeoutMs` — so flush() is bounded by `timeoutMs`, not by
      // backlog / window × `timeoutMs`. Later releases to it are sent as usual: it gets a fresh chance.
      if (timedOut) for (const call of lane.waiting.drain()) this.#settle(call, 'timedOut');
    } finally {
      lane.pumping = wasPumping;
    }
    if (lane.inFlight > 0) this.#ensureTimer(lane); // settling above may have armed it already
    else this.#releaseLaneIfIdle(lane);
    if (!lane.pumping && lane.waiting.length > 0) this.#pump(lane);
  }
}
