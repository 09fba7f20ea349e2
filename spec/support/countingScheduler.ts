import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

/**
 * Wraps a scheduler and counts the actions scheduled on it that have neither run nor been
 * cancelled: `active === 0` is what "nothing scheduled while idle" means.
 */
export class CountingScheduler implements SchedulerLike {
  active = 0;
  scheduled = 0;

  constructor(private readonly inner: SchedulerLike) {}

  now(): number {
    return this.inner.now();
  }

  schedule<T>(work: (this: SchedulerAction<T>, state: T) => void, delay = 0, state?: T): Subscription {
    this.scheduled++;
    this.active++;
    let live = true;
    const done = (): void => {
      if (live) {
        live = false;
        this.active--;
      }
    };
    const inner = this.inner.schedule<T>(function (this: SchedulerAction<T>, s: T) {
      done();
      work.call(this, s);
    }, delay, state as T);
    return new Subscription(() => {
      done();
      inner.unsubscribe();
    });
  }
}
