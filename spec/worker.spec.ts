import { TestScheduler } from 'rxjs/testing';
import { ReleaseBatcher } from '../src/ReleaseBatcher';
import { initReleaseWorker, isReleaseWorkerInitialised, tryRelease } from '../src/worker';
import { VirtualTarget } from './support/virtualTarget';

describe('process-wide release worker', () => {
  it('does nothing before init, then creates one batcher and returns it on later calls', () => {
    const testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const t = new VirtualTarget('t', testScheduler);
    expect(isReleaseWorkerInitialised()).toBe(false);
    expect(() => tryRelease(t, 'before')).not.toThrow();

    const worker = initReleaseWorker({ scheduler: testScheduler, maxBatch: 8 });
    expect(worker).toBeInstanceOf(ReleaseBatcher);
    expect(isReleaseWorkerInitialised()).toBe(true);
    expect(initReleaseWorker({ maxBatch: 1 })).toBe(worker);

    tryRelease(t, 'after');
    testScheduler.flush();
    expect(t.ids).toEqual(['after']);
    expect(worker.stats).toMatchObject({ enqueued: 1, released: 1 });
  });
});
