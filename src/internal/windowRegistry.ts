import { AdaptiveWindow } from './adaptiveWindow.js';
import { FixedWindow, type InFlightWindow } from './inFlightWindow.js';
import type { WindowPolicy } from './resolveOptions.js';

/**
 * Hands out each target's window under one {@link WindowPolicy}: one shared fixed window, or — by
 * default — a window per kind of client, chosen by measurement (docs/BENCHMARKS.md):
 * - chrome-remote-interface whose wire the library cannot reach (`overCri`: its releases enter the
 *   client's callback table): an adaptive window per target, starting at `startCri`.
 *   That client's cost per answer grows with the commands outstanding, so the best window depends on
 *   the machine and the load; the window is kept for the pipeline's life (weakly: a target's lane is
 *   deleted when it is idle, its window is not, so the next burst starts where the last one ended).
 * - any other client (chrome-remote-interface and puppeteer-core on their own wire, playwright-core,
 *   a raw WebSocket): the cap, fixed.
 *   Their cost per answer does not grow with the commands outstanding (puppeteer-core keeps its
 *   callbacks in a `Map`), every level from the cap up measured alike, and every level below it
 *   slower; an adaptive window there only lost time probing lower levels on noisy measurements.
 * @internal
 */
export class WindowRegistry {
  readonly #policy: WindowPolicy;
  /** The fixed window: `maxInFlight` as given, or the cap for clients other than chrome-remote-interface. */
  readonly #fixed: FixedWindow;
  readonly #adaptive = new WeakMap<object, AdaptiveWindow>();

  constructor(policy: WindowPolicy) {
    this.#policy = policy;
    this.#fixed = new FixedWindow(policy.kind === 'fixed' ? policy.size : policy.max);
  }

  /** The window of `target`; `overCri`: the target is a chrome-remote-interface client or session. */
  windowOf(target: object, overCri: boolean): InFlightWindow {
    const policy = this.#policy;
    if (policy.kind === 'fixed' || !overCri) return this.#fixed;
    let window = this.#adaptive.get(target);
    if (window === undefined) {
      window = new AdaptiveWindow(policy.startCri, policy.min, policy.max);
      this.#adaptive.set(target, window);
    }
    return window;
  }
}
