/** The requests enqueued between two `flush()` calls, and whether they have all settled. */
export class FlushEpoch {
  count = 0;
  closed = false;
  next: FlushEpoch | null = null;
  resolve: (() => void) | null = null;
  promise: Promise<void> | null = null;
}

/**
 * Tracks which releases a `flush()` waits for: every one enqueued before the call, and no later
 * one. Requests are counted into the current epoch; `flush()` closes it and resolves once it and all
 * older epochs have drained. O(1) per request, whatever order the releases settle in.
 */
export class FlushBarrier {
  #current = new FlushEpoch();
  #oldest = this.#current;

  /** Counts one new request into the current epoch; give the epoch back to {@link leave}. */
  enter(): FlushEpoch {
    const epoch = this.#current;
    epoch.count++;
    return epoch;
  }

  leave(epoch: FlushEpoch): void {
    if (--epoch.count === 0 && epoch.closed) this.#advance();
  }

  /** Resolves when every request entered before this call has left. Never rejects. */
  flush(): Promise<void> {
    const epoch = this.#current;
    if (epoch === this.#oldest && epoch.count === 0) return Promise.resolve();
    epoch.closed = true;
    epoch.promise = new Promise<void>((resolve) => {
      epoch.resolve = resolve;
    });
    const promise = epoch.promise;
    epoch.next = new FlushEpoch();
    this.#current = epoch.next;
    this.#advance();
    return promise;
  }

  #advance(): void {
    let epoch = this.#oldest;
    while (epoch.closed && epoch.count === 0 && epoch.next !== null) {
      epoch.resolve?.();
      const next: FlushEpoch = epoch.next;
      epoch.next = null;
      epoch = next;
    }
    this.#oldest = epoch;
  }
}
