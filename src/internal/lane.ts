import type { SchedulerLike, Subscription } from 'rxjs';
import { classifyReleaseError, errorMessageOf, type BatchOutcome } from '../outcome.js';
import type { ReleaseRequest } from '../request.js';
import type { CdpTarget } from '../target.js';
import { releaseChannel } from './channels.js';
import { contextBookOf, contextKey, type ContextBook } from './contextLifecycle.js';
import { markTargetGone, onTargetGone } from './targetLifecycle.js';
import type { OpenBatch } from './counters.js';
import type { InFlightWindow } from './inFlightWindow.js';
import { ReleaseQueue } from './queue.js';
import { corkForThisTick, probedSocketOf, sendProbingSocket, socketOf } from './transport.js';
import { directSendOf, type DirectSend } from './clients/index.js';

/**
 * A release call overtaken by the answer to a later one on the same target is judged lost (settled
 * `gone`) once it is still unanswered this long after. Real answers come in order, within
 * milliseconds of each other; a second is far beyond any reordering a client could introduce.
 */
export const LOST_GRACE_MS = 1_000;

/** Why calls end without an answer of Chrome's: the `error` of their settlement. @internal */
export const NOT_SENT_TARGET_GONE = 'not sent: the target is gone';
/** @internal */
export const NOT_SENT_TORN_DOWN = 'not sent: the pipeline was torn down';
const IN_FLIGHT_TARGET_GONE = 'the target went away while the call was in flight';
const NOT_SENT_CONTEXT_GONE = 'not sent: its execution context was destroyed';
const LOST = 'unanswered while a later call was answered: dropped by Chrome';
const STUCK = 'not sent: the target left an earlier call unanswered past timeoutMs';

const enum CallState {
  Waiting,
  Sent,
  Settled,
}

/** One release call. Holds its request (and so its target) only until it settles. @internal */
export class ReleaseCall<R extends ReleaseRequest> {
  state = CallState.Waiting;
  deadline = 0;
  /**
   * When it was sent, by the host's clock — set only while someone listens on the release channel,
   * so that a call nobody observes carries no field for it (`declare`: no initializer, no slot).
   */
  declare sentAt?: number;
  /** Send order within its lane. */
  seq = 0;

  constructor(
    public request: R | null,
    readonly batch: OpenBatch,
  ) {}
}

/** What a lane needs of its dispatcher. @internal */
export interface LaneHost<R extends ReleaseRequest> {
  readonly scheduler: SchedulerLike;
  /** Milliseconds, for the latency of a call (see `ResolvedBatchOptions.clock`). */
  readonly clock: () => number;
  /** The batcher the lane releases for, named in channel messages (`null`: the operator). */
  owner: object | null;
  readonly timeoutMs: number;
  readonly maxBatch: number;
  /** `request` is being sent now. */
  sent(request: R): void;
  /**
   * `request`, of `batch`, ended: exactly once per request, after the lane has refilled the slot it
   * freed. `wasSent`: it had been sent, else it ends unsent. `error`: why it did not end `released`
   * (the error's message, or the lane's reason), `undefined` when it did.
   */
  settled(request: R, batch: OpenBatch, outcome: BatchOutcome, wasSent: boolean, error: string | undefined): void;
  /** The target went away (it was marked gone while this lane had calls for it). */
  targetGone(target: CdpTarget): void;
  /** The lane has nothing waiting and nothing in flight, and has stopped its timer and its gone listener. */
  idle(lane: TargetLane<R>): void;
}

/**
 * Everything one target's releases need, owned in one place: calls waiting for a slot (in order),
 * calls sent (in send order, for the timeout sweep), the window that bounds them, the one timer of the
 * oldest outstanding call, the listener on the target going away, and the rule that nothing is sent while
 * the lane is being emptied or swept. Created when a target gets its first call; tells its host it is
 * idle as soon as nothing is waiting or in flight, so a settled target is never retained.
 *
 * Re-entrancy: settling a call runs the host's callbacks, which may run user code, which may release
 * more — or a `send` may throw "target closed" synchronously and end the lane from inside a send.
 * While the lane is sending, emptying or sweeping (`#busy > 0`) it sends nothing more; whoever
 * entered first refills it when done.
 * @internal
 */
export class TargetLane<R extends ReleaseRequest> {
  readonly #waiting = new ReleaseQueue<ReleaseCall<R>>();
  readonly #sent = new ReleaseQueue<ReleaseCall<R>>();
  readonly #host: LaneHost<R>;
  readonly #window: InFlightWindow;
  /** How long a call overtaken by a later answer may still be answered before it counts as lost. */
  readonly #lostGraceMs: number;
  /**
   * The client's socket when it can be corked: chrome-remote-interface's, read off the client; any
   * other client's, learnt by watching its first release write (undefined until then).
   */
  #socket: ReturnType<typeof socketOf> | undefined;
  /** A send on the client's own wire, without its per-command machinery (null: the target's `send`). */
  readonly #direct: DirectSend | null;
  #inFlight = 0;
  /** Send sequence of the lane's calls, and the highest one answered so far. */
  #sendSeq = 0;
  #answeredSeq = 0;
  /** Calls sent before `#overtakenBy` that are still unanswered were overtaken at `#overtakenAt`. */
  #overtakenBy = 0;
  #overtakenAt = 0;
  #timer: Subscription | null = null;
  #stopListening: (() => void) | null;
  /** What is known of the target's execution contexts (null: its events cannot be heard). */
  readonly #contexts: ContextBook | null;
  #stopContexts: (() => void) | null;
  /** Sending, emptying or sweeping is under way: send nothing more until it is done. */
  #busy = 0;
  /** The target is gone ({@link forget}): whatever is added from now on is dropped unsent. */
  #forgotten = false;

  constructor(
    readonly target: CdpTarget,
    host: LaneHost<R>,
    windowOf: (target: CdpTarget, overCri: boolean) => InFlightWindow,
  ) {
    this.#host = host;
    const criSocket = socketOf(target);
    this.#socket = criSocket ?? probedSocketOf(target);
    this.#direct = directSendOf(target);
    // chrome-remote-interface's cost per answer grows with its commands outstanding: releases on its
    // own wire are not among them.
    this.#window = windowOf(target, criSocket !== null && this.#direct === null);
    this.#lostGraceMs = Math.min(LOST_GRACE_MS, host.timeoutMs);
    this.#stopListening = onTargetGone(target, (gone) => host.targetGone(gone));
    this.#contexts = contextBookOf(target);
    this.#stopContexts = this.#contexts?.listen((key) => this.#contextGone(key)) ?? null;
  }

  /** Calls waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Calls sent and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The most calls it lets be in flight now (its window's level). */
  get window(): number {
    return this.#window.limit;
  }

  /** Calls the lane still holds: waiting, in flight, and settled ones it has not yet let go. */
  get held(): number {
    return this.#waiting.length + this.#sent.length;
  }

  /** Sends `call` now if a slot is free and nothing waits before it; else queues it, in order. */
  add(call: ReleaseCall<R>): void {
    if (this.#forgotten) this.#settle(call, 'dropped', NOT_SENT_TARGET_GONE); // added by a settlement's callback mid-forget
    else if (this.#contexts !== null && call.request?.objectId !== undefined && this.#contexts.isDead(call.request.objectId)) {
      this.#settle(call, 'gone', NOT_SENT_CONTEXT_GONE); // its context is destroyed: Chrome could only answer with an error
      this.#endIfIdle();
    }
    else if (this.#inFlight < this.#window.limit && this.#waiting.length === 0) this.#send(call);
    else this.#waiting.push(call);
  }

  /**
   * The target is gone: calls waiting for a slot are settled `dropped` (never sent), calls in flight
   * `gone` at once — after a renderer crash Chrome answers nothing on that session, so waiting would
   * hold each for `timeoutMs`.
   */
  forget(): void {
    this.#forgotten = true;
    this.#busy++; // nothing may be sent to it while it is being emptied
    try {
      for (const call of this.#waiting.drain()) this.#settle(call, 'dropped', NOT_SENT_TARGET_GONE);
      for (const call of this.#sent.drain()) this.#settle(call, 'gone', IN_FLIGHT_TARGET_GONE); // the settled ones stay as they are
    } finally {
      this.#busy--;
    }
    this.#endIfIdle();
  }

  /**
   * The pipeline's subscriber went away: calls still waiting are settled `dropped`; calls in flight
   * keep their handlers and timeout, so each still ends in exactly one outcome.
   */
  dropWaiting(): void {
    this.#busy++;
    try {
      for (const call of this.#waiting.drain()) this.#settle(call, 'dropped', NOT_SENT_TORN_DOWN);
    } finally {
      this.#busy--;
    }
    this.#endIfIdle();
  }

  /**
   * An execution context of the target was destroyed (`key`), or all it had were cleared
   * (`undefined`, a navigation): the calls of it still waiting are settled `gone` now, unsent —
   * Chrome could only answer them with an error. Calls in flight settle as Chrome answers them.
   */
  #contextGone(key: string | undefined): void {
    if (this.#waiting.length === 0) return;
    this.#busy++;
    try {
      const dead = this.#waiting.extract((call) => {
        const id = call.request?.objectId;
        if (id === undefined) return false; // an object group spans contexts: sent as asked
        return key === undefined ? contextKey(id) !== '' : contextKey(id) === key;
      });
      for (const call of dead) this.#settle(call, 'gone', NOT_SENT_CONTEXT_GONE);
    } finally {
      this.#busy--;
    }
    this.#endIfIdle();
  }

  #send(call: ReleaseCall<R>): void {
    const request = call.request as R;
    call.state = CallState.Sent;
    call.deadline = this.#host.scheduler.now() + this.#host.timeoutMs;
    this.#inFlight++;
    call.seq = ++this.#sendSeq;
    this.#sent.push(call);
    this.#ensureTimer();
    if (releaseChannel.hasSubscribers) call.sentAt = this.#host.clock();
    this.#host.sent(request);
    if (this.#socket) corkForThisTick(this.#socket);

    let answer: unknown;
    // A client sent to through its own `send` may make an Error per command for an async stack trace
    // that nobody reads for a release (its errors reach only the outcome classifier, by message):
    // puppeteer-core's `CDPSession.send` does, and capturing that stack is the largest share of its
    // per-command cost. No stack is captured while the call is made.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      answer = this.#socket === undefined ? this.#probe(request) : this.#call(request);
    } catch (error) {
      // A client that throws synchronously (closed connection, hostile target): one outcome, no throw.
      Error.stackTraceLimit = stackTraceLimit;
      this.#settleError(call, error);
      return;
    }
    Error.stackTraceLimit = stackTraceLimit;
    this.#await(call, answer);
  }

  #call(request: R): unknown {
    const direct = this.#direct;
    if (direct !== null) {
      return request.objectId !== undefined
        ? direct('Runtime.releaseObject', { objectId: request.objectId })
        : direct('Runtime.releaseObjectGroup', { objectGroup: request.objectGroup });
    }
    return request.objectId !== undefined
      ? this.target.send('Runtime.releaseObject', { objectId: request.objectId })
      : this.target.send('Runtime.releaseObjectGroup', { objectGroup: request.objectGroup });
  }

  /** The target's first release: sent while watching which socket it writes to, corked from then on. */
  #probe(request: R): unknown {
    try {
      return sendProbingSocket(this.target, () => this.#call(request));
    } finally {
      this.#socket = probedSocketOf(this.target) ?? null;
      if (this.#socket !== null) corkForThisTick(this.#socket);
    }
  }

  #await(call: ReleaseCall<R>, answer: unknown): void {
    try {
      if (typeof (answer as { then?: unknown } | null | undefined)?.then !== 'function') {
        // Not a promise: the target answered synchronously, with a value or with nothing.
        this.#settle(call, 'released', undefined);
        return;
      }
      (answer as PromiseLike<unknown>).then(
        () => {
          this.#answered(call);
          this.#settle(call, 'released', undefined);
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
    if (call.state !== CallState.Sent) return; // a late answer: its call has its outcome already
    this.#answeredSeq = Math.max(this.#answeredSeq, call.seq);
    if (this.#overtakenBy !== 0) return; // already timing an earlier overtaking
    // The oldest call the lane still holds was sent before this one: the calls from it up to this
    // one that are still unanswered were overtaken (the sweep judges only those).
    const head = this.#sent.peek();
    if (head !== undefined && head.seq < call.seq) {
      this.#overtakenBy = call.seq;
      this.#overtakenAt = this.#host.scheduler.now();
      this.#rearmTimer();
    }
  }

  #settleError(call: ReleaseCall<R>, error: unknown): void {
    const { outcome, targetGone } = classifyReleaseError(error);
    if (targetGone && call.state === CallState.Sent) {
      // `Session with given id not found.`, `Target closed`, `WebSocket connection closed`, ...: every
      // other call to this target would fail the same way (or never be answered). End it before this
      // call's slot can be refilled: every pipeline with a lane for it — this one too, through the
      // lane's gone listener — forgets it, which settles this call `gone` as well.
      markTargetGone(this.target);
    }
    this.#settle(call, outcome, errorMessageOf(error));
  }

  #settle(call: ReleaseCall<R>, outcome: BatchOutcome, error: string | undefined): void {
    if (call.state === CallState.Settled) return; // a late answer after a timeout, or a second answer
    const wasSent = call.state === CallState.Sent;
    if (releaseChannel.hasSubscribers) this.#publish(call, outcome, wasSent, error);
    call.state = CallState.Settled;
    const request = call.request as R;
    call.request = null;
    if (wasSent) {
      this.#inFlight--;
      if (this.#waiting.length > 0) this.#window.backloggedSettle(this.#host.scheduler.now());
      else this.#window.drained();
      // Calls mostly settle in send order; drop settled ones from the head so the sent queue stays as
      // short as what is really outstanding.
      let head = this.#sent.peek();
      while (head !== undefined && head.state === CallState.Settled) {
        this.#sent.shift();
        head = this.#sent.peek();
      }
      this.#pump();
    }
    this.#host.settled(request, call.batch, outcome, wasSent, error);
  }

  /** The call's settlement on the release channel (someone listens). */
  #publish(call: ReleaseCall<R>, outcome: BatchOutcome, sent: boolean, error: string | undefined): void {
    const request = call.request as R;
    const group = request.objectId === undefined;
    releaseChannel.publish({
      batcher: this.#host.owner,
      target: this.target,
      method: group ? 'Runtime.releaseObjectGroup' : 'Runtime.releaseObject',
      id: group ? request.objectGroup : request.objectId,
      outcome,
      sent,
      durationMs: sent && call.sentAt !== undefined ? this.#host.clock() - call.sentAt : null,
      error: error ?? null,
    });
  }

  /** Sends waiting calls while the lane has free slots. Iterative: a target whose `send` throws
   *  synchronously must not recurse once per waiting call. */
  #pump(): void {
    if (this.#busy > 0) return;
    // Under a backlog, refill in chunks rather than one call per answer: Chrome and the clients
    // handle a burst of calls far more cheaply than the same calls trickling out one per tick.
    const limit = this.#window.limit;
    const free = limit - this.#inFlight;
    const refillChunk = Math.max(1, Math.min(this.#host.maxBatch, Math.floor(limit / 4)));
    if (free < refillChunk && free < this.#waiting.length) return; // never with nothing in flight: free = limit >= refillChunk
    this.#busy++;
    try {
      while (this.#inFlight < limit && this.#waiting.length > 0) this.#send(this.#waiting.shift() as ReleaseCall<R>);
    } finally {
      this.#busy--;
    }
    this.#endIfIdle();
  }

  /** Nothing waiting, nothing in flight, nothing under way: stop the timer and the gone listener, tell the host. */
  #endIfIdle(): void {
    if (this.#inFlight !== 0 || this.#waiting.length !== 0 || this.#busy !== 0) return;
    this.#timer?.unsubscribe();
    this.#timer = null;
    if (this.#stopListening === null) return; // already ended
    this.#stopListening();
    this.#stopListening = null;
    this.#stopContexts?.();
    this.#stopContexts = null;
    this.#host.idle(this);
  }

  /** One timer per lane, due when its oldest outstanding call times out (or is judged lost). */
  #ensureTimer(): void {
    const head = this.#sent.peek();
    if (head === undefined || this.#timer !== null) return;
    const due = this.#overtakenBy !== 0 ? Math.min(head.deadline, this.#overtakenAt + this.#lostGraceMs) : head.deadline;
    const delay = Math.max(0, due - this.#host.scheduler.now());
    this.#timer = this.#host.scheduler.schedule(() => this.#sweep(), delay);
  }

  #rearmTimer(): void {
    this.#timer?.unsubscribe();
    this.#timer = null;
    this.#ensureTimer();
  }

  #sweep(): void {
    this.#timer = null;
    const now = this.#host.scheduler.now();
    let timedOut = false;
    this.#busy++; // a slot freed by a timeout must not be refilled before the backlog is judged
    try {
      const lostBefore = now >= this.#overtakenAt + this.#lostGraceMs ? this.#overtakenBy : 0; // 0: none judged
      if (lostBefore !== 0) this.#overtakenBy = 0;
      let head = this.#sent.peek();
      while (head !== undefined && (head.state === CallState.Settled || head.deadline <= now || head.seq < lostBefore)) {
        this.#sent.shift();
        if (head.state !== CallState.Settled) {
          if (head.deadline <= now) {
            this.#settle(head, 'timedOut', `no answer within timeoutMs (${this.#host.timeoutMs} ms)`);
            timedOut = true;
          } else {
            this.#settle(head, 'gone', LOST); // overtaken and still unanswered: dropped by Chrome
          }
        }
        head = this.#sent.peek();
      }
      // Calls overtaken by a later answer than the one just judged: time them from now.
      if (this.#overtakenBy === 0 && head !== undefined && head.state === CallState.Sent && head.seq < this.#answeredSeq) {
        this.#overtakenBy = this.#answeredSeq;
        this.#overtakenAt = now;
      }
      // A target that let a call go unanswered for `timeoutMs` is presumed stuck (a renderer in an
      // endless loop, a hung browser): its backlog is settled `timedOut` now, unsent, instead of being
      // fed to it one window per `timeoutMs` — so flush() is bounded by `timeoutMs`, not by
      // backlog / window × `timeoutMs`. Later releases to it are sent as usual: it gets a fresh chance.
      if (timedOut) for (const call of this.#waiting.drain()) this.#settle(call, 'timedOut', STUCK);
    } finally {
      this.#busy--;
    }
    this.#ensureTimer(); // for the oldest call still out, if any (settling above may have armed it already)
    this.#pump(); // refills the slots freed above, or ends the lane if nothing is left
  }
}
