import { concatMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ReleaseBatcher, releaseInto, withRemoteObject } from '../../src/index';
import { createTestTarget, VirtualAnswer, type TestReply } from '../../src/testing/index';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('cdp-release-batcher/testing: createTestTarget, for marble tests of a release pipeline', () => {
  it('answers each call `latency` frames after it was sent, and records it with the frame it was sent at', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable, flush }) => {
      const target = createTestTarget(scheduler, { latency: 3 });
      const batcher = new ReleaseBatcher({ scheduler });
      batcher.release(target, 'a');
      batcher.releaseGroup(target, 'g');
      expectObservable(batcher.flush$()).toBe('---(f|)', { f: undefined });
      flush();
      expect(target.calls).toEqual([
        { method: 'Runtime.releaseObject', params: { objectId: 'a' }, frame: 0 },
        { method: 'Runtime.releaseObjectGroup', params: { objectGroup: 'g' }, frame: 0 },
      ]);
      expect(batcher.stats).toMatchObject({ released: 2, pending: 0, inFlight: 0 });
    });
  });

  it('reply decides each call: released, gone, failed, or never (ended by the batcher\'s timeout, in virtual time)', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const replies: Record<string, TestReply> = { a: 'released', b: 'gone', c: 'failed', d: 'never' };
      const target = createTestTarget(scheduler, { reply: (_method, params) => replies[(params as { objectId: string }).objectId] ?? 'released' });
      const batcher = new ReleaseBatcher({ scheduler, timeoutMs: 50 });
      for (const id of ['a', 'b', 'c', 'd']) batcher.release(target, id);
      expectObservable(batcher.close$()).toBe('50ms (c|)', { c: undefined });
      expectObservable(batcher.batches$).toBe('50ms (r|)', { r: { index: 1, size: 4, released: 1, gone: 1, failed: 1, timedOut: 1, dropped: 0, invalid: 0, durationMs: 50 } });
    });
  });

  it('close$() completes stats$ and batches$ inside the run, at the frame of the last answer', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const target = createTestTarget(scheduler, { latency: 2 });
      const batcher = new ReleaseBatcher({ scheduler });
      cold('a-b|').subscribe((id) => batcher.release(target, id));
      expectObservable(cold('---x|').pipe(concatMap(() => batcher.close$()))).toBe('----(c|)', { c: undefined });
      // Subscribed once the close is done: it emits and completes at once.
      expectObservable(cold('------(x|)').pipe(concatMap(() => batcher.close$()))).toBe('------(c|)', { c: undefined });
      expectObservable(batcher.batches$).toBe('--x-(y|)', {
        x: { index: 1, size: 1, released: 1, gone: 0, failed: 0, timedOut: 0, dropped: 0, invalid: 0, durationMs: 2 },
        y: { index: 2, size: 1, released: 1, gone: 0, failed: 0, timedOut: 0, dropped: 0, invalid: 0, durationMs: 2 },
      });
    });
  });

  it('the promise-fake trap, shown: `send: async () => ({})` times out in virtual time; the kit\'s target is released', async () => {
    let scheduler = newScheduler();
    let trapped: ReleaseBatcher | null = null;
    scheduler.run(() => {
      // What a user writes first. Its promise settles in a microtask, which virtual time never waits for.
      trapped = new ReleaseBatcher({ scheduler, timeoutMs: 30_000 });
      trapped.release({ send: async () => ({}) }, 'a');
    });
    await Promise.resolve(); // the microtask comes after run() returned: too late
    expect(trapped!.stats).toMatchObject({ timedOut: 1, released: 0 });

    scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const batcher = new ReleaseBatcher({ scheduler, timeoutMs: 30_000 });
      batcher.release(createTestTarget(scheduler), 'a');
      expectObservable(batcher.close$()).toBe('-(c|)', { c: undefined });
      scheduler.schedule(() => expect(batcher.stats).toMatchObject({ timedOut: 0, released: 1 }), 2);
    });
  });

  it('a user\'s own pipeline needs only rxjs/testing and the kit: releaseInto and withRemoteObject in marbles', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const target = createTestTarget(scheduler, { latency: 1 });
      const batcher = new ReleaseBatcher({ scheduler });
      expectObservable(cold('a-b-|').pipe(releaseInto(batcher, target))).toBe('----|');
      const title$ = withRemoteObject(batcher, target, () => cold('--o|', { o: { objectId: 'h1', type: 'object' as const } }), () => cold('-t|', { t: 'Title' }));
      expectObservable(title$).toBe('---t|', { t: 'Title' });
      // Subscribed at frame 4, before h1 is enqueued (withRemoteObject ends there): nothing it waits for is out.
      expectObservable(cold('----x|').pipe(concatMap(() => batcher.flush$()))).toBe('----f|', { f: undefined });
      scheduler.schedule(() => {
        expect(target.calls.map((c) => [c.frame, (c.params as { objectId: string }).objectId])).toEqual([[0, 'a'], [2, 'b'], [4, 'h1']]);
        expect(batcher.stats).toMatchObject({ enqueued: 3, released: 3 });
      }, 10);
    });
  });

  it('refuses a latency that is not a finite number >= 0', () => {
    const scheduler = newScheduler();
    for (const latency of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => createTestTarget(scheduler, { latency })).toThrow(RangeError);
    expect(() => createTestTarget(scheduler, { latency: -1 })).toThrow('latency must be a finite number >= 0, got -1');
    expect(() => createTestTarget(scheduler, { latency: '3' as unknown as number })).toThrow('latency must be a finite number >= 0, got 3');
    expect(() => createTestTarget(scheduler, { latency: 0 })).not.toThrow(); // an answer in the same frame
  });

  it('gone and failed answers reject the way chrome-remote-interface does: a message, and Chrome\'s answer on response', () => {
    const scheduler = newScheduler();
    const target = createTestTarget(scheduler, { reply: (_method, params) => ((params as { objectId: string }).objectId === 'g' ? 'gone' : 'failed') });
    const errors: unknown[] = [];
    for (const id of ['g', 'f']) target.send('Runtime.releaseObject', { objectId: id }).then(undefined, (e: unknown) => errors.push(e));
    scheduler.flush();
    expect(errors).toEqual([
      expect.objectContaining({ message: 'Could not find object with given id', response: { code: -32000, message: 'Could not find object with given id' } }),
      expect.objectContaining({ message: 'test target: the call failed', response: { code: -32000, message: 'test target: the call failed' } }),
    ]);
  });

  it('VirtualAnswer: settles once, and calls back at once when already settled', () => {
    const ok = new VirtualAnswer();
    expect(ok.settled).toBe(false);
    ok.resolve('first');
    ok.resolve('second');
    ok.reject(new Error('too late'));
    expect(ok.settled).toBe(true);
    const seen: unknown[] = [];
    ok.then((v) => seen.push(['ok', v]), (e) => seen.push(['error', e]));
    const failed = new VirtualAnswer();
    failed.reject('no');
    failed.then((v) => seen.push(['ok', v]), (e) => seen.push(['error', e]));
    expect(failed.settled).toBe(true);
    expect(seen).toEqual([['ok', 'first'], ['error', 'no']]);
  });
});
