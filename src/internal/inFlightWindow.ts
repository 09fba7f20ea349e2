/**
 * How many calls one target may have outstanding, and what it learns from completions. A lane asks
 * it for `limit` before each send and tells it how its calls settle.
 * @internal
 */
export interface InFlightWindow {
  /** The current bound on calls outstanding. */
  readonly limit: number;
  /** A call settled while others were waiting for a slot (the window is the bottleneck). `now` in ms. */
  backloggedSettle(now: number): void;
  /** A call settled with nothing waiting: the backlog ran out. */
  drained(): void;
}

/** A window that never moves: an explicit `maxInFlight`. @internal */
export class FixedWindow implements InFlightWindow {
  constructor(readonly limit: number) {}

  backloggedSettle(): void {
    // fixed: nothing to learn
  }

  drained(): void {
    // fixed: nothing to learn
  }
}
