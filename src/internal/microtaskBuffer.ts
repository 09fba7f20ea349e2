import { Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * The batching of {@link bufferMicrotask}, for a `maxSize` already validated: emits `maxSize`
 * values at once, and whatever is waiting at `scheduler`'s next flush (one action, scheduled by the
 * first value into an empty buffer and cancelled when the buffer fills up first). @internal
 */
export function microtaskBuffer<T>(maxSize: number, scheduler: SchedulerLike): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let buffer: T[] = [];
      let flushAction: Subscription | null = null;

      const cancelFlush = (): void => {
        if (flushAction !== null) {
          flushAction.unsubscribe();
          flushAction = null;
        }
      };
      const emit = (): void => {
        const full = buffer;
        buffer = [];
        subscriber.next(full);
      };
      const onFlush = (): void => {
        flushAction = null;
        if (buffer.length > 0) emit();
      };

      const upstream = source.subscribe({
        next(value) {
          buffer.push(value);
          if (buffer.length >= maxSize) {
            cancelFlush();
            emit();
          } else if (flushAction === null) {
            flushAction = scheduler.schedule(onFlush);
          }
        },
        error(err: unknown) {
          cancelFlush();
          buffer = [];
          subscriber.error(err);
        },
        complete() {
          cancelFlush();
          if (buffer.length > 0) emit();
          subscriber.complete();
        },
      });

      return () => {
        cancelFlush();
        buffer = [];
        upstream.unsubscribe();
      };
    });
}
