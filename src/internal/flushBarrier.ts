/** The requests enqueued between two flushes, and who waits for them to settle. */
export class FlushEpoch {
  count = 0;
  closed = false;
  next: FlushEpoch | null = null;
  /** Called, in order, once this epoch and every older one have drained. */
  waiting: (() => void)[] = [];
}

/**
 * Tracks which releases a flush waits for: every one enqueued before it, and no later one. Requests
 * are counted into the current epoch; a flush closes it and is told once it and all older epochs have
 * drained — synchronously, in the call that settled the last of them (so a flush is visible in
 * virtual time). O(1) per request, whatever order the releases settle in.
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

  /** Calls `done` once every request entered before this call has left (at once if none is out). */
  whenFlushed(done: () => void): void {
    const epoch = this.#current;
    if (epoch === this.#oldest && epoch.count === 0) {
      done();
      return;
    }
    epoch.closed = true;
    epoch.waiting.push(done);
    epoch.next = new FlushEpoch();
    this.#current = epoch.next;
    this.#advance();
  }

  /** Resolves when every request entered before this call has left. Never rejects. */
  flush(): Promise<void> {
    return new Promise<void>((resolve) => this.whenFlushed(resolve));
  }

  #advance(): void {
    let epoch = this.#oldest;
    while (epoch.closed && epoch.count === 0 && epoch.next !== null) {
      for (const done of epoch.waiting) done();
      const next: FlushEpoch = epoch.next;
      epoch.next = null;
      epoch = next;
    }
    this.#oldest = epoch;
  }
}
