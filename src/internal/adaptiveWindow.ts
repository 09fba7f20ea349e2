import type { InFlightWindow } from './inFlightWindow.js';

/**
 * How many release calls one target may have outstanding, adapted to measured throughput.
 *
 * The best window depends on the client more than on Chrome: chrome-remote-interface's response
 * handler costs O(outstanding commands), so it is fastest at ~256 calls in flight, while a
 * puppeteer-core session keeps gaining up to ~1024. A fixed default serves one of them. This is a
 * hill climber over the levels `min, 2·min, …, max`: while the lane is backlogged (the window is the
 * bottleneck) it measures releases per millisecond over epochs of completions, holds a level for a
 * few epochs, then probes the next level in its current direction; a probe that is not faster by a
 * margin is undone and the direction reversed. Off the best level it spends about one epoch in
 * `settleEpochs + 1`. Nothing is measured while the lane is not backlogged: a trickle of releases
 * says nothing about the window.
 *
 * @internal
 */
export class AdaptiveWindow implements InFlightWindow {
  #limit: number;
  #direction: 1 | -1 = 1;
  /** Releases per ms at the current level (mean of its epochs), 0 when not yet measured. */
  #rate = 0;
  /** The level a probe came from, 0 when not probing. */
  #probingFrom = 0;
  #epochsHeld: number;
  #epochStart = Number.NaN;
  #epochCount = 0;

  constructor(
    start: number,
    readonly min: number,
    readonly max: number,
    /** Completions per measurement epoch, at least; an epoch also spans at least one window. */
    readonly epochSize = 512,
    /** Epochs a level is held before the next probe. */
    readonly settleEpochs = 8,
    /** How much faster a probed level must be to be kept. */
    readonly margin = 0.05,
  ) {
    this.#limit = Math.min(max, Math.max(min, start));
    // Probe as soon as the starting level has been measured once: a new lane should find its level fast.
    this.#epochsHeld = settleEpochs - 1;
  }

  /** The current window. */
  get limit(): number {
    return this.#limit;
  }

  /** A call settled while others were waiting for a slot. `now` in ms. */
  backloggedSettle(now: number): void {
    if (Number.isNaN(this.#epochStart)) {
      this.#epochStart = now;
      this.#epochCount = 0;
      return;
    }
    if (++this.#epochCount < Math.max(this.epochSize, this.#limit)) return;
    const elapsed = now - this.#epochStart;
    if (elapsed <= 0) return; // a coarse clock: keep counting until time has visibly passed
    const rate = this.#epochCount / elapsed;
    this.#epochStart = now;
    this.#epochCount = 0;
    this.#epoch(rate);
  }

  /** The backlog ran out: the next epoch starts afresh when it builds up again. */
  drained(): void {
    this.#epochStart = Number.NaN;
  }

  #epoch(rate: number): void {
    if (this.#probingFrom !== 0) {
      if (rate > this.#rate * (1 + this.margin)) {
        // Faster: keep the level and go on probing in the same direction.
        this.#rate = rate;
        this.#probingFrom = 0;
        this.#epochsHeld = this.settleEpochs - 1;
      } else {
        this.#setLimit(this.#probingFrom);
        this.#probingFrom = 0;
        this.#direction = this.#direction === 1 ? -1 : 1;
        this.#rate = 0;
        this.#epochsHeld = 0;
      }
      return;
    }
    this.#rate = this.#rate === 0 ? rate : (this.#rate + rate) / 2;
    if (++this.#epochsHeld < this.settleEpochs) return;
    let next = this.#step(this.#direction);
    if (next === this.#limit) {
      this.#direction = this.#direction === 1 ? -1 : 1;
      next = this.#step(this.#direction);
      if (next === this.#limit) return; // min === max: nothing to adapt
    }
    this.#probingFrom = this.#limit;
    this.#epochsHeld = 0;
    this.#setLimit(next);
  }

  #step(direction: 1 | -1): number {
    return direction === 1 ? Math.min(this.max, this.#limit * 2) : Math.max(this.min, Math.floor(this.#limit / 2));
  }

  #setLimit(limit: number): void {
    this.#limit = limit;
    this.#epochStart = Number.NaN; // measure the new level from its own first completion
  }
}
