/** What a close does, in order. @internal */
export interface CloseSteps {
  /** Later releases are counted `dropped`. */
  stopTaking(): void;
  /** Calls `done` once every release taken so far has settled (at once if none is out). */
  whenFlushed(done: () => void): void;
  /** Everything has settled: the final snapshot, the streams completed. */
  end(): void;
}

/**
 * A batcher's close, run once: stop taking releases, wait until everything taken has settled, end,
 * then tell everyone waiting — in the call that settled the last release, so a close is visible in
 * virtual time. @internal
 */
export class CloseSequence {
  readonly #steps: CloseSteps;
  #started = false;
  #done = false;
  #promise: Promise<void> | null = null;
  /** Who waits for the close to be done; empty once it is. */
  readonly #waiting: (() => void)[] = [];

  constructor(steps: CloseSteps) {
    this.#steps = steps;
  }

  /** True once the close started. */
  get started(): boolean {
    return this.#started;
  }

  /** Starts the close (once); every call returns the same promise. Never rejects. */
  promise(): Promise<void> {
    this.#promise ??= new Promise<void>((resolve) => this.whenClosed(resolve));
    return this.#promise;
  }

  /** Starts the close (once) and calls `done` when it is done (at once if it is). */
  whenClosed(done: () => void): void {
    if (this.#done) {
      done();
      return;
    }
    this.#waiting.push(done);
    if (this.#started) return;
    this.#started = true;
    this.#steps.stopTaking();
    this.#steps.whenFlushed(() => {
      this.#steps.end();
      this.#done = true;
      for (const waiting of this.#waiting.splice(0)) waiting();
    });
  }
}
