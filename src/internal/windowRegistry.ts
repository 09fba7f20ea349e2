import { AdaptiveWindow } from './adaptiveWindow.js';
import { FixedWindow, type InFlightWindow } from './inFlightWindow.js';
import type { WindowPolicy } from './resolveOptions.js';

/**
 * Hands out each target's window under one {@link WindowPolicy}: one shared fixed window, or one
 * adaptive window per target, kept for the pipeline's life (weakly: a target's lane is deleted when it
 * is idle, its window is not, so the next burst starts where the last one ended).
 * @internal
 */
export class WindowRegistry {
  readonly #policy: WindowPolicy;
  readonly #fixed: FixedWindow | null;
  readonly #adaptive = new WeakMap<object, AdaptiveWindow>();

  constructor(policy: WindowPolicy) {
    this.#policy = policy;
    this.#fixed = policy.kind === 'fixed' ? new FixedWindow(policy.size) : null;
  }

  /**
   * The window of `target`. An adaptive one starts at chrome-remote-interface's best window over that
   * client (`overCri`: its cost per answer grows with the commands outstanding), at the cap over any
   * other (a puppeteer-core or playwright-core session, a raw client keep gaining up to ~64 × 16).
   */
  windowOf(target: object, overCri: boolean): InFlightWindow {
    const policy = this.#policy;
    if (policy.kind === 'fixed') return this.#fixed as FixedWindow;
    let window = this.#adaptive.get(target);
    if (window === undefined) {
      window = new AdaptiveWindow(overCri ? policy.startCri : policy.max, policy.min, policy.max);
      this.#adaptive.set(target, window);
    }
    return window;
  }
}
