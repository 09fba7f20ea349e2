import { Subject, asapScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { bufferMicrotask } from '../../src/operators/bufferMicrotask';
import { CountingScheduler } from '../support/countingScheduler';

describe('bufferMicrotask', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('emits full buffers at once and the remainder at the flush of the same frame', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('(abcde)');
      expectObservable(source.pipe(bufferMicrotask(2))).toBe('(xyz)', { x: ['a', 'b'], y: ['c', 'd'], z: ['e'] });
    });
  });

  it('lets a partial buffer go in the frame it was filled, not later', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('a-b--(cd)-|');
      expectObservable(source.pipe(bufferMicrotask(3))).toBe('x-y--z----|', { x: ['a'], y: ['b'], z: ['c', 'd'] });
    });
  });

  it('never emits an empty array, also when a full buffer leaves nothing for the flush', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('(ab)--(cd)|');
      expectObservable(source.pipe(bufferMicrotask(2))).toBe('(x)---(y)-|', { x: ['a', 'b'], y: ['c', 'd'] });
    });
  });

  it('emits the remainder when the source completes, then completes', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('(abc|)');
      expectObservable(source.pipe(bufferMicrotask(2))).toBe('(xy|)', { x: ['a', 'b'], y: ['c'] });
    });
  });

  it('forwards errors at once and discards the buffer', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('(ab#)', undefined, new Error('boom'));
      expectObservable(source.pipe(bufferMicrotask(5))).toBe('#', undefined, new Error('boom'));
    });
  });

  it('uses the given scheduler for the flush, and schedules nothing while empty', () => {
    const counting = new CountingScheduler(testScheduler);
    const source = new Subject<number>();
    const seen: number[][] = [];
    source.pipe(bufferMicrotask(3, counting)).subscribe((b) => seen.push(b));

    expect(counting.active).toBe(0);
    source.next(1);
    expect(counting.active).toBe(1); // one flush for the partial buffer
    source.next(2);
    expect(counting.scheduled).toBe(1); // not one per value
    source.next(3); // full: emitted at once, the flush cancelled
    expect(seen).toEqual([[1, 2, 3]]);
    expect(counting.active).toBe(0);

    source.next(4);
    testScheduler.flush();
    expect(seen).toEqual([[1, 2, 3], [4]]);
    expect(counting.active).toBe(0); // after a flush: nothing re-armed
    testScheduler.flush();
    expect(seen).toHaveLength(2);
  });

  it('cancels the pending flush on unsubscribe', () => {
    const counting = new CountingScheduler(testScheduler);
    const source = new Subject<number>();
    const seen: number[][] = [];
    const sub = source.pipe(bufferMicrotask(3, counting)).subscribe((b) => seen.push(b));
    source.next(1);
    sub.unsubscribe();
    expect(counting.active).toBe(0);
    testScheduler.flush();
    expect(seen).toEqual([]);
  });

  it('by default flushes at the end of the microtask checkpoint, before any timer', async () => {
    const source = new Subject<number>();
    const order: string[] = [];
    source.pipe(bufferMicrotask(10)).subscribe((b) => order.push(`batch ${b.join(',')}`));
    setTimeout(() => order.push('timer'), 0);
    source.next(1);
    source.next(2);
    expect(order).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(order).toEqual(['batch 1,2', 'timer']);
  });

  it('rejects a maxSize that is not an integer >= 1', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => bufferMicrotask(bad)).toThrow(RangeError);
    }
    expect(() => bufferMicrotask(0)).toThrow(/maxSize/);
    expect(asapScheduler).toBeDefined();
  });
});
