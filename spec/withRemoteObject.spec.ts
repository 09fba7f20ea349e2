import { TestScheduler } from 'rxjs/testing';
import { switchMap, take } from 'rxjs';
import { ReleaseBatcher } from '../src/ReleaseBatcher';
import { withRemoteObject } from '../src/withRemoteObject';
import { VirtualTarget } from './support/virtualTarget';

const obj = { o: { type: 'object' as const, objectId: 'obj-1' } };

describe('withRemoteObject', () => {
  let testScheduler: TestScheduler;
  let t: VirtualTarget;
  let batcher: ReleaseBatcher;
  beforeEach(() => {
    testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    t = new VirtualTarget('t', testScheduler);
    batcher = new ReleaseBatcher({ scheduler: testScheduler });
  });

  it('releases the object when the subscription completes', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const result = withRemoteObject(batcher, t, () => cold('--o|', obj), (h) => cold('-r|', { r: h.objectId }));
      expectObservable(result).toBe('---r|', { r: 'obj-1' });
    });
    expect(t.calls.map((c) => [c.time, c.id])).toEqual([[4, 'obj-1']]);
  });

  it('releases the object when the subscription errors', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const result = withRemoteObject(batcher, t, () => cold('--o|', obj), () => cold('-#', undefined, new Error('extract failed')));
      expectObservable(result).toBe('---#', undefined, new Error('extract failed'));
    });
    expect(t.calls.map((c) => [c.time, c.id])).toEqual([[3, 'obj-1']]);
  });

  it('an acquire that fails forwards its error; one that completes empty completes; nothing to release either way', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const failing = withRemoteObject(batcher, t, () => cold('--#', undefined, new Error('evaluate failed')), () => cold('r|', { r: 1 }));
      expectObservable(failing).toBe('--#', undefined, new Error('evaluate failed'));
      const empty = withRemoteObject(batcher, t, () => cold('---|'), () => cold('r|', { r: 1 }));
      expectObservable(empty).toBe('---|');
    });
    expect(t.calls).toEqual([]);
  });

  it('once the object arrived, only use speaks: a later acquire error is ignored, the object released when use ends', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const result = withRemoteObject(batcher, t, () => cold('o#', obj, new Error('late acquire error')), () => cold('---r|', { r: 1 }));
      expectObservable(result).toBe('---r|', { r: 1 });
    });
    expect(t.calls.map((c) => [c.time, c.id])).toEqual([[4, 'obj-1']]);
  });

  it('releases the object on unsubscribe', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const result = withRemoteObject(batcher, t, () => cold('--o|', obj), () => cold('-r------', { r: 1 }));
      expectObservable(result, '^----!').toBe('---r-', { r: 1 });
    });
    expect(t.calls.map((c) => [c.time, c.id])).toEqual([[5, 'obj-1']]);
  });

  it('releases on take(1) and on a switchMap cancelling it', () => {
    testScheduler.run(({ cold, hot, expectObservable }) => {
      const first = withRemoteObject(batcher, t, () => cold('o|', { o: 'first' }), () => cold('-ab', { a: 1, b: 2 })).pipe(take(1));
      expectObservable(first).toBe('-(a|)', { a: 1 });
      const trigger = hot('--x----y', { x: 'second', y: 'third' });
      const crawl = trigger.pipe(switchMap((id) => withRemoteObject(batcher, t, () => cold('o|', { o: id }), () => cold('-v----', { v: id }))));
      expectObservable(crawl, '^---------!').toBe('---s----t-', { s: 'second', t: 'third' });
    });
    expect(t.calls.map((c) => [c.time, c.id])).toEqual([[1, 'first'], [7, 'second'], [10, 'third']]);
  });

  it('an object that arrives after the subscriber left is released at once, not leaked', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const result = withRemoteObject(batcher, t, () => cold('-----o|', obj), () => cold('r', { r: 1 }));
      expectObservable(result, '^--!').toBe('');
    });
    expect(t.calls.map((c) => [c.time, c.id])).toEqual([[5, 'obj-1']]);
  });

  it('a promise acquire works, and a primitive needs no release', async () => {
    const values: unknown[] = [];
    await new Promise<void>((resolve) => {
      withRemoteObject(batcher, t, () => Promise.resolve({ type: 'number' as const, value: 3 }), (h) => [h.objectId]).subscribe({
        next: (v) => values.push(v),
        complete: resolve,
      });
    });
    testScheduler.flush();
    expect(values).toEqual(['']);
    expect(t.calls).toHaveLength(0);
    expect(batcher.stats.enqueued).toBe(0);
  });
});
