import { TestScheduler } from 'rxjs/testing';
import { releaseInto, type ReleaseInput } from '../../src/operators/releaseInto';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import { VirtualTarget } from '../support/virtualTarget';

describe('releaseInto', () => {
  it('releases each value as it passes, emits nothing, and mirrors completion', () => {
    const testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const fallback = new VirtualTarget('fallback', testScheduler);
    const own = new VirtualTarget('own', testScheduler);
    const batcher = new ReleaseBatcher({ scheduler: testScheduler });
    testScheduler.run(({ cold, expectObservable }) => {
      const values: Record<string, ReleaseInput> = {
        a: { type: 'object', objectId: 'remote-a' },
        b: 'bare-b',
        c: { target: own, objectId: 'own-c' },
        d: { target: own, objectGroup: 'group-d' },
        p: { type: 'number' }, // a primitive: skipped
        x: { type: 'object', objectId: 7 } as unknown as ReleaseInput, // bad: counted invalid
      };
      expectObservable(cold('a-b-(cd)-px-|', values).pipe(releaseInto(batcher, fallback))).toBe('------------|');
    });
    expect(fallback.calls.map((c) => [c.time, c.id])).toEqual([[0, 'remote-a'], [2, 'bare-b']]);
    expect(own.calls.map((c) => [c.time, c.method, c.id])).toEqual([[4, 'Runtime.releaseObject', 'own-c'], [4, 'Runtime.releaseObjectGroup', 'group-d']]);
    expect(batcher.stats).toMatchObject({ enqueued: 5, released: 4, invalid: 1 });
  });

  it('a value with both an objectId and an objectGroup is read by its objectId, as batcher.adopt reads it', () => {
    const testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const t = new VirtualTarget('t', testScheduler);
    const batcher = new ReleaseBatcher({ scheduler: testScheduler });
    testScheduler.run(({ cold, expectObservable }) => {
      const both = { target: t, objectId: 'obj-1', objectGroup: 'group-1' } as unknown as ReleaseInput;
      expectObservable(cold('a|', { a: both }).pipe(releaseInto(batcher))).toBe('-|');
    });
    expect(t.calls.map((c) => [c.method, c.id])).toEqual([['Runtime.releaseObject', 'obj-1']]);
  });

  it('forwards a source error after releasing what came before it', () => {
    const testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const t = new VirtualTarget('t', testScheduler);
    const batcher = new ReleaseBatcher({ scheduler: testScheduler });
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<ReleaseInput>('a-#', { a: 'one' }, new Error('crawl failed')).pipe(releaseInto(batcher, t))).toBe('--#', undefined, new Error('crawl failed'));
    });
    expect(t.ids).toEqual(['one']);
  });
});
