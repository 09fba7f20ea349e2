import type { SchedulerLike } from 'rxjs';
import type { CdpTarget } from '../target.js';

/**
 * A promise-like answer settled in the scheduler's time. Its `then` callbacks run synchronously when
 * it settles (or at once if it already has), so an answer lands inside `TestScheduler.run` at its
 * frame. A real `Promise` would settle in a microtask, which virtual time never waits for: a fake
 * written `send: async () => ({})` gives `timedOut`, not `released`, inside `TestScheduler.run` (the
 * virtual timeout fires before the microtask that would settle it). This is how the kit avoids that.
 */
export class VirtualAnswer implements PromiseLike<unknown> {
  #state: 'pending' | 'resolved' | 'rejected' = 'pending';
  #value: unknown;
  #callbacks: [((v: unknown) => unknown) | null | undefined, ((e: unknown) => unknown) | null | undefined][] = [];

  then<A = unknown, B = never>(
    onOk?: ((value: unknown) => A | PromiseLike<A>) | null,
    onError?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    if (this.#state === 'pending') this.#callbacks.push([onOk, onError]);
    else if (this.#state === 'resolved') onOk?.(this.#value);
    else onError?.(this.#value);
    return this as unknown as PromiseLike<A | B>;
  }

  resolve(value: unknown = {}): void {
    this.#settle('resolved', value);
  }

  reject(error: unknown): void {
    this.#settle('rejected', error);
  }

  get settled(): boolean {
    return this.#state !== 'pending';
  }

  #settle(state: 'resolved' | 'rejected', value: unknown): void {
    if (this.#state !== 'pending') return;
    this.#state = state;
    this.#value = value;
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const [ok, err] of callbacks) (state === 'resolved' ? ok : err)?.(value);
  }
}

/** How a {@link TestTarget} answers one call. */
export type TestReply = 'released' | 'gone' | 'failed' | 'never';

export interface TestTargetOptions {
  /** Frames (virtual milliseconds inside `TestScheduler.run`) until each answer. Default 1. */
  readonly latency?: number;
  /** The answer to each call, by its method and params. Default: every call `'released'`. */
  readonly reply?: (method: string, params: unknown) => TestReply;
}

/** One call a {@link TestTarget} received. */
export interface TestCall {
  readonly method: string;
  readonly params: unknown;
  /** The scheduler's time when it was sent (its frame inside `TestScheduler.run`). */
  readonly frame: number;
}

/** A {@link CdpTarget} answering in the scheduler's time, recording every call. */
export interface TestTarget extends CdpTarget {
  /** Every call received, in order. */
  readonly calls: readonly TestCall[];
}

/** The errors a test target answers with: what Chrome says for an unknown id, and any other error. */
const GONE = 'Could not find object with given id';
const FAILED = 'test target: the call failed';

/**
 * A CDP target for marble tests of a release pipeline: each call is answered `latency` frames after
 * it was sent, in `scheduler`'s time, as `reply` says — `'released'` (success), `'gone'` (Chrome's
 * `Could not find object with given id`, a `code: -32000` protocol error), `'failed'` (any other
 * error) or `'never'` (no answer: the batcher's `timeoutMs` ends it). Pass the same scheduler to the
 * batcher (`new ReleaseBatcher({ scheduler })`), or to `batchReleases`.
 *
 * @example
 * ```ts
 * testScheduler.run(({ expectObservable }) => {
 *   const target = createTestTarget(testScheduler, { latency: 3 });
 *   const batcher = new ReleaseBatcher({ scheduler: testScheduler });
 *   batcher.release(target, 'a');
 *   expectObservable(batcher.flush$()).toBe('---(x|)', { x: undefined });
 * });
 * ```
 * @throws RangeError when `latency` is not a finite number >= 0.
 */
export function createTestTarget(scheduler: SchedulerLike, options: TestTargetOptions = {}): TestTarget {
  const latency = options.latency ?? 1;
  if (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0) {
    throw new RangeError(`latency must be a finite number >= 0, got ${String(latency)}`);
  }
  const reply = options.reply ?? ((): TestReply => 'released');
  const calls: TestCall[] = [];
  return {
    calls,
    send(method: string, params?: object): PromiseLike<unknown> {
      calls.push({ method, params, frame: scheduler.now() });
      const answer = new VirtualAnswer();
      const how = reply(method, params);
      if (how !== 'never') {
        scheduler.schedule(() => {
          if (how === 'released') answer.resolve({});
          else answer.reject(Object.assign(new Error(how === 'gone' ? GONE : FAILED), { response: { code: -32000, message: how === 'gone' ? GONE : FAILED } }));
        }, latency);
      }
      return answer;
    },
  };
}
