import { TestScheduler } from 'rxjs/testing';
import type { ReleaseOutcome } from '../../src/outcome';
import { batchReleases } from '../../src/operators/batchReleases';
import type { ReleaseRequest } from '../../src/request';
import type { BatchReport } from '../../src/stats';
import { VirtualTarget, protocolError } from '../support/virtualTarget';

const report = (index: number, size: number, durationMs: number, counts: Partial<BatchReport> = {}): BatchReport => ({
  index, size, released: 0, gone: 0, failed: 0, timedOut: 0, dropped: 0, invalid: 0, durationMs, ...counts,
});

describe('batchReleases', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('sends a full batch at once and the rest at the flush, one call per request', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const t = new VirtualTarget('t', testScheduler, () => ({ delay: 3 }));
      const requests = cold<ReleaseRequest>('(abc)', {
        a: { target: t, objectId: 'a' }, b: { target: t, objectId: 'b' }, c: { target: t, objectId: 'c' },
      });
      expectObservable(requests.pipe(batchReleases({ maxBatch: 2, scheduler: testScheduler }))).toBe('---(xy)', {
        x: report(1, 2, 3, { released: 2 }),
        y: report(2, 1, 3, { released: 1 }),
      });
      flush();
      expect(t.ids).toEqual(['a', 'b', 'c']);
      expect(t.sendTimes).toEqual([0, 0, 0]);
      expect(t.calls.map((c) => c.method)).toEqual(['Runtime.releaseObject', 'Runtime.releaseObject', 'Runtime.releaseObject']);
    });
  });

  it('sends an object group as one Runtime.releaseObjectGroup', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const t = new VirtualTarget('t', testScheduler);
      const requests = cold<ReleaseRequest>('a', { a: { target: t, objectGroup: 'scope-1' } });
      expectObservable(requests.pipe(batchReleases({ scheduler: testScheduler }))).toBe('-x', { x: report(1, 1, 1, { released: 1 }) });
      flush();
      expect(t.calls.map((c) => [c.method, c.id])).toEqual([['Runtime.releaseObjectGroup', 'scope-1']]);
    });
  });

  it('keeps at most maxInFlight calls outstanding per target; the rest wait, in order', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const t = new VirtualTarget('t', testScheduler, () => ({ delay: 10 }));
      const reqs = Object.fromEntries('abcde'.split('').map((k) => [k, { target: t, objectId: k }]));
      const requests = cold<ReleaseRequest>('(abcde)', reqs);
      expectObservable(requests.pipe(batchReleases({ maxInFlight: 2, scheduler: testScheduler }))).toBe(
        '30ms x', { x: report(1, 5, 30, { released: 5 }) });
      flush();
      expect(t.ids).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(t.sendTimes).toEqual([0, 0, 10, 10, 20]);
      expect(t.maxOutstanding).toBe(2);
    });
  });

  it('under a backlog refills in chunks (maxInFlight / 4, at most maxBatch), not one call per answer', () => {
    testScheduler.run(({ cold, flush }) => {
      // answers come one frame apart for the first 8 calls; later calls answer late
      const t = new VirtualTarget('t', testScheduler, (id) => ({ delay: Number(id.slice(1)) < 8 ? Number(id.slice(1)) + 1 : 100 }));
      const values = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [String.fromCharCode(97 + i), { target: t, objectId: `r${i}` }]));
      const requests = cold<ReleaseRequest>('(abcdefghijkl)', values);
      requests.pipe(batchReleases({ maxInFlight: 8, scheduler: testScheduler })).subscribe();
      flush();
      // chunk = 2: one free slot is not enough while calls wait; two are
      expect(t.sendTimes).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 4, 4]);
      expect(t.maxOutstanding).toBeLessThanOrEqual(8);
    });
  });

  it('never waits on in-flight batches: a later batch to another target goes out at once', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const slow = new VirtualTarget('slow', testScheduler, () => ({ delay: 50 }));
      const fast = new VirtualTarget('fast', testScheduler, () => ({ delay: 1 }));
      const requests = cold<ReleaseRequest>('a-b', { a: { target: slow, objectId: 's1' }, b: { target: fast, objectId: 'f1' } });
      expectObservable(requests.pipe(batchReleases({ maxInFlight: 1, scheduler: testScheduler }))).toBe(
        '---y 46ms x', { x: report(1, 1, 50, { released: 1 }), y: report(2, 1, 1, { released: 1 }) });
      flush();
      expect(fast.sendTimes).toEqual([2]);
    });
  });

  it('times a call out after timeoutMs; the stuck target\'s backlog times out with it, unsent', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const hung = new VirtualTarget('hung', testScheduler, () => 'never');
      const requests = cold<ReleaseRequest>('(ab)', { a: { target: hung, objectId: 'a' }, b: { target: hung, objectId: 'b' } });
      expectObservable(requests.pipe(batchReleases({ maxInFlight: 1, timeoutMs: 100, scheduler: testScheduler }))).toBe(
        '100ms x', { x: report(1, 2, 100, { timedOut: 2 }) });
      flush();
      expect(hung.sendTimes).toEqual([0]);
    });
  });

  it('a call overtaken by a later answer and still unanswered 1 s after is lost: gone, not a 30 s timeout', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      // Chrome dropped 'a' (say, in flight to a renderer a cross-origin navigation swapped out)
      const t = new VirtualTarget('t', testScheduler, (id) => (id === 'a' ? 'never' : { delay: 5 }));
      const requests = cold<ReleaseRequest>('a-(bc)', { a: { target: t, objectId: 'a' }, b: { target: t, objectId: 'b' }, c: { target: t, objectId: 'c' } });
      const settled: [string, string, number][] = [];
      const listener = { settled: (r: ReleaseRequest, o: string) => settled.push([r.objectId ?? '', o, testScheduler.now()]) };
      expectObservable(requests.pipe(batchReleases({ scheduler: testScheduler, listener }))).toBe(
        '7ms y 999ms x', { x: report(1, 1, 1007, { gone: 1 }), y: report(2, 2, 5, { released: 2 }) });
      flush();
      expect(settled).toEqual([['b', 'released', 7], ['c', 'released', 7], ['a', 'gone', 1007]]);
    });
  });

  it('a second call overtaken by a later answer is watched from when the first is judged: gone 1 s after that, not timed out', () => {
    testScheduler.run(({ cold, flush }) => {
      // 'a' and 'c' dropped by Chrome; 'b' overtakes 'a' at 5 ms, 'd' overtakes 'c' at 600 ms
      const t = new VirtualTarget('t', testScheduler, (id) => (id === 'a' || id === 'c' ? 'never' : { delay: id === 'b' ? 5 : 600 }));
      const requests = cold<ReleaseRequest>('(abcd)', Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, { target: t, objectId: id }])));
      const settled: [string, string, number][] = [];
      const listener = { settled: (r: ReleaseRequest, o: string) => settled.push([r.objectId ?? '', o, testScheduler.now()]) };
      requests.pipe(batchReleases({ scheduler: testScheduler, listener, timeoutMs: 30_000 })).subscribe();
      flush();
      expect(settled).toEqual([['b', 'released', 5], ['d', 'released', 600], ['a', 'gone', 1005], ['c', 'gone', 2005]]);
    });
  });

  it('answers out of order within the grace are all released', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const t = new VirtualTarget('t', testScheduler, (id) => ({ delay: id === 'a' ? 900 : 1 }));
      const requests = cold<ReleaseRequest>('(ab)', { a: { target: t, objectId: 'a' }, b: { target: t, objectId: 'b' } });
      expectObservable(requests.pipe(batchReleases({ scheduler: testScheduler }))).toBe('900ms x', { x: report(1, 2, 900, { released: 2 }) });
    });
  });

  it('sends later releases to a target that timed out: it gets a fresh chance', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      let answering = false;
      const flaky = new VirtualTarget('flaky', testScheduler, () => (answering ? { delay: 1 } : 'never'));
      testScheduler.schedule(() => (answering = true), 150);
      const requests = cold<ReleaseRequest>('(ab) 196ms c', { a: { target: flaky, objectId: 'a' }, b: { target: flaky, objectId: 'b' }, c: { target: flaky, objectId: 'c' } });
      expectObservable(requests.pipe(batchReleases({ maxInFlight: 1, timeoutMs: 100, scheduler: testScheduler }))).toBe(
        '100ms x 99ms -y', { x: report(1, 2, 100, { timedOut: 2 }), y: report(2, 1, 1, { released: 1 }) });
      flush();
      expect(flaky.sendTimes).toEqual([0, 200]);
    });
  });

  it('isolates each call: one failure, one gone, one thrown, the others released', () => {
    const thrower = { send: (): never => { throw new Error('socket exploded'); } };
    testScheduler.run(({ cold, expectObservable }) => {
      const t = new VirtualTarget('t', testScheduler, (id) =>
        id === 'bad' ? { delay: 1, error: protocolError('Internal error') }
          : id === 'old' ? { delay: 2, error: protocolError('Could not find object with given id') }
            : { delay: 3 });
      const requests = cold<ReleaseRequest>('(abcd)-e', {
        a: { target: t, objectId: 'ok1' }, b: { target: t, objectId: 'bad' }, c: { target: t, objectId: 'old' },
        d: { target: thrower, objectId: 'x' }, e: { target: t, objectId: 'ok2' },
      });
      expectObservable(requests.pipe(batchReleases({ scheduler: testScheduler }))).toBe('---x------y', {
        x: report(1, 4, 3, { released: 1, failed: 2, gone: 1 }),
        y: report(2, 1, 3, { released: 1 }),
      });
    });
  });

  it('a target that never answers delays only its own releases', () => {
    testScheduler.run(({ cold, flush }) => {
      const hung = new VirtualTarget('hung', testScheduler, () => 'never');
      const ok = new VirtualTarget('ok', testScheduler, () => ({ delay: 1 }));
      const settled: [string, ReleaseOutcome, number][] = [];
      const listener = { settled: (r: ReleaseRequest, o: ReleaseOutcome) => settled.push([r.objectId ?? '', o, testScheduler.now()]) };
      const values: Record<string, ReleaseRequest> = {};
      for (let i = 0; i < 6; i++) values[String(i)] = { target: i % 2 ? hung : ok, objectId: `id${i}` };
      const requests = cold<ReleaseRequest>('(012)-(345)', values);
      requests.pipe(batchReleases({ maxInFlight: 1, timeoutMs: 1000, scheduler: testScheduler, listener })).subscribe();
      flush();
      // ok's releases settle one round trip after they were sent, though hung holds its only slot
      expect(settled.filter(([id]) => ['id0', 'id2', 'id4'].includes(id))).toEqual([
        ['id0', 'released', 1], ['id2', 'released', 2], ['id4', 'released', 7],
      ]);
      // hung's first call times out after 1000; hung is then presumed stuck: its backlog (id3, id5)
      // is settled timedOut at the same moment, unsent, instead of one timeout after another
      expect(settled.filter(([, o]) => o === 'timedOut').map(([id, , at]) => [id, at])).toEqual([['id1', 1000], ['id3', 1000], ['id5', 1000]]);
      expect(hung.calls.map((c) => c.id)).toEqual(['id1']);
    });
  });

  it('forget$: a forgotten target\'s waiting calls are dropped unsent, its calls in flight end gone at once, its later requests are dropped', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const t = new VirtualTarget('t', testScheduler, () => ({ delay: 10 }));
      const other = new VirtualTarget('other', testScheduler, () => ({ delay: 10 }));
      const requests = cold<ReleaseRequest>('(abco)--d', {
        a: { target: t, objectId: 'a' }, b: { target: t, objectId: 'b' }, c: { target: t, objectId: 'c' },
        o: { target: other, objectId: 'o' },
        d: { target: t, objectId: 'd' },
      });
      const forget$ = cold('--t', { t });
      expectObservable(requests.pipe(batchReleases({ maxInFlight: 1, scheduler: testScheduler, forget$ }))).toBe('--------y-x', {
        // forgotten at frame 2: a (in flight) gone then, b and c (waiting) dropped; o, elsewhere, released at 10
        x: report(1, 4, 10, { gone: 1, dropped: 2, released: 1 }),
        y: report(2, 1, 0, { dropped: 1 }), // d, for the forgotten target: dropped unsent at once
      });
      flush();
      expect(t.ids).toEqual(['a']);
      expect(other.ids).toEqual(['o']);
    });
  });

  it('counts invalid requests without sending them', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const t = new VirtualTarget('t', testScheduler);
      const requests = cold<ReleaseRequest>('(abc)', {
        a: { target: t, objectId: '' },
        b: { target: {} as never, objectId: 'x' },
        c: { target: t, objectId: 'fine' },
      });
      expectObservable(requests.pipe(batchReleases({ scheduler: testScheduler }))).toBe('-x', { x: report(1, 3, 1, { invalid: 2, released: 1 }) });
      flush();
      expect(t.ids).toEqual(['fine']);
    });
  });

  it('completes once the source completed and every batch settled', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const t = new VirtualTarget('t', testScheduler, () => ({ delay: 5 }));
      const requests = cold<ReleaseRequest>('a|', { a: { target: t, objectId: 'a' } });
      expectObservable(requests.pipe(batchReleases({ scheduler: testScheduler }))).toBe('-----(x|)', { x: report(1, 1, 5, { released: 1 }) });
    });
  });

  it('on unsubscribe drops the calls still waiting and lets in-flight ones settle', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const t = new VirtualTarget('t', testScheduler, () => ({ delay: 10 }));
      const outcomes: ReleaseOutcome[] = [];
      const requests = cold<ReleaseRequest>('(ab)', { a: { target: t, objectId: 'a' }, b: { target: t, objectId: 'b' } });
      const result = requests.pipe(batchReleases({ maxInFlight: 1, scheduler: testScheduler, listener: { settled: (_r, o) => outcomes.push(o) } }));
      expectObservable(result, '^--!').toBe('');
      flush();
      expect(outcomes).toEqual(['dropped', 'released']);
      expect(t.ids).toEqual(['a']);
    });
  });

  it('throws a RangeError naming the option for invalid options', () => {
    expect(() => batchReleases({ maxBatch: 0 })).toThrow(/maxBatch/);
    expect(() => batchReleases({ maxInFlight: -1 })).toThrow(/maxInFlight/);
    expect(() => batchReleases({ timeoutMs: Number.POSITIVE_INFINITY })).toThrow(/timeoutMs/);
    expect(() => batchReleases({ timeoutMs: Number.NaN })).toThrow(RangeError);
  });
});
