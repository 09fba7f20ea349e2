import { TestScheduler } from 'rxjs/testing';
import { ReleaseBatcher } from '../src/ReleaseBatcher';
import { statsBalance, type BatchReport, type ReleaseStats } from '../src/stats';
import type { CdpTarget } from '../src/target';
import { CountingScheduler } from './support/countingScheduler';
import { VirtualTarget, protocolError } from './support/virtualTarget';

/** A target answering with real promises, after `ms` (0: next macrotask). */
function promiseTarget(ms = 0, error?: unknown): CdpTarget & { ids: string[] } {
  const ids: string[] = [];
  return {
    ids,
    send(_method: string, params: { objectId?: string; objectGroup?: string }) {
      ids.push(params.objectId ?? params.objectGroup ?? '');
      return new Promise((resolve, reject) => setTimeout(() => (error === undefined ? resolve({}) : reject(error as Error)), ms));
    },
  };
}

describe('ReleaseBatcher', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  describe('release()', () => {
    it('is synchronous, sends nothing before the flush window ends, then one call per release', () => {
      const t = new VirtualTarget('t', testScheduler);
      const batcher = new ReleaseBatcher({ scheduler: testScheduler });
      batcher.release(t, 'a');
      batcher.release(t, 'b');
      expect(t.calls).toHaveLength(0);
      expect(batcher.stats).toMatchObject({ enqueued: 2, pending: 2, inFlight: 0 });
      testScheduler.flush();
      expect(t.ids).toEqual(['a', 'b']);
      expect(batcher.stats).toMatchObject({ enqueued: 2, released: 2, pending: 0, inFlight: 0, batches: 1 });
    });

    it('sends a full batch at once, without waiting for the flush window', () => {
      const t = new VirtualTarget('t', testScheduler);
      const batcher = new ReleaseBatcher({ maxBatch: 3, scheduler: testScheduler });
      for (const id of ['a', 'b', 'c', 'd']) batcher.release(t, id);
      expect(t.ids).toEqual(['a', 'b', 'c']);
      expect(batcher.stats).toMatchObject({ pending: 1, inFlight: 3, batches: 1 });
      testScheduler.flush();
      expect(t.ids).toEqual(['a', 'b', 'c', 'd']);
      expect(batcher.stats.batches).toBe(2);
    });

    it('counts bad input as invalid, never throws, never sends it', () => {
      const t = new VirtualTarget('t', testScheduler);
      const batcher = new ReleaseBatcher({ scheduler: testScheduler });
      const hostile = new Proxy({}, { get() { throw new Error('trap'); } });
      const bad: [unknown, unknown][] = [
        [t, ''], [t, 42], [t, undefined], [t, null], [null, 'x'], [undefined, 'x'], [{}, 'x'], [{ send: 1 }, 'x'], [hostile, 'x'], ['target', 'x'],
      ];
      for (const [target, id] of bad) expect(() => batcher.release(target as CdpTarget, id as string)).not.toThrow();
      expect(() => batcher.releaseGroup(t, '' )).not.toThrow();
      testScheduler.flush();
      expect(t.calls).toHaveLength(0);
      expect(batcher.stats).toMatchObject({ enqueued: bad.length + 1, invalid: bad.length + 1, pending: 0 });
    });

    it('counts a release of a pending or in-flight (target, objectId) as duplicate and does not send it', () => {
      const t = new VirtualTarget('t', testScheduler, () => ({ delay: 10 }));
      const other = new VirtualTarget('other', testScheduler);
      const batcher = new ReleaseBatcher({ scheduler: testScheduler });
      batcher.release(t, 'a');
      batcher.release(t, 'a'); // pending
      batcher.release(other, 'a'); // another target: not a duplicate
      testScheduler.schedule(() => batcher.release(t, 'a'), 5); // in flight
      testScheduler.schedule(() => batcher.release(t, 'a'), 20); // settled already: sent again
      testScheduler.flush();
      expect(t.ids).toEqual(['a', 'a']);
      expect(other.ids).toEqual(['a']);
      expect(batcher.stats).toMatchObject({ enqueued: 5, duplicate: 2, released: 3 });
    });

    it('keeps groups and objects with the same name apart', () => {
      const t = new VirtualTarget('t', testScheduler);
      const batcher = new ReleaseBatcher({ scheduler: testScheduler });
      batcher.release(t, 'same');
      batcher.releaseGroup(t, 'same');
      batcher.releaseGroup(t, 'same');
      testScheduler.flush();
      expect(t.calls.map((c) => c.method)).toEqual(['Runtime.releaseObject', 'Runtime.releaseObjectGroup']);
      expect(batcher.stats).toMatchObject({ released: 2, duplicate: 1 });
    });

    it('classifies answers into released, gone, failed and timedOut', () => {
      const answers = (id: string) => {
        switch (id) {
          case 'gone1': return { delay: 1, error: protocolError('Could not find object with given id') };
          case 'gone2': return { delay: 1, error: protocolError('Session with given id not found.', -32001) };
          case 'gone3': return { delay: 1, error: new Error('WebSocket connection closed') };
          case 'fail': return { delay: 1, error: protocolError('Internal error') };
          case 'hang': return 'never' as const;
          default: return { delay: 1 };
        }
      };
      const t = new VirtualTarget('t', testScheduler, answers);
      const batcher = new ReleaseBatcher({ scheduler: testScheduler, timeoutMs: 50 });
      for (const id of ['ok', 'gone1', 'fail', 'hang']) batcher.release(t, id);
      // session-level answers on targets of their own: they end their target (see lifecycle tests)
      batcher.release(new VirtualTarget('s2', testScheduler, answers), 'gone2');
      batcher.release(new VirtualTarget('s3', testScheduler, answers), 'gone3');
      testScheduler.flush();
      expect(batcher.stats).toMatchObject({ released: 1, gone: 3, failed: 1, timedOut: 1, inFlight: 0, pending: 0 });
    });
  });

  describe('stats$', () => {
    it('emits a snapshot on subscribe, then coalesced changes: O(N / maxBatch) for a burst of N', () => {
      const t = new VirtualTarget('t', testScheduler, () => ({ delay: 1 }));
      const batcher = new ReleaseBatcher({ maxBatch: 64, scheduler: testScheduler });
      const seen: ReleaseStats[] = [];
      batcher.stats$.subscribe((s) => seen.push(s));
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ enqueued: 0 });
      for (let i = 0; i < 6400; i++) batcher.release(t, `id${i}`);
      testScheduler.flush();
      const last = seen[seen.length - 1] as ReleaseStats;
      expect(last).toMatchObject({ enqueued: 6400, released: 6400, pending: 0, inFlight: 0, batches: 100 });
      expect(seen.length).toBeGreaterThan(2);
      expect(seen.length).toBeLessThanOrEqual(2 * (6400 / 64) + 3);
      for (const s of seen) expect(statsBalance(s)).toBe(true);
    });

    it('shows a settlement within 250 ms even while its batch is still waiting for another call', () => {
      const t = new VirtualTarget('t', testScheduler, (id) => (id === 'stuck' ? 'never' : { delay: 1 }));
      const batcher = new ReleaseBatcher({ scheduler: testScheduler, timeoutMs: 60_000 });
      const seen: [number, number][] = [];
      batcher.stats$.subscribe((s) => seen.push([testScheduler.now(), s.released]));
      batcher.release(t, 'fast');
      batcher.release(t, 'stuck'); // same batch: it does not complete for 60 s
      testScheduler.maxFrames = 1_000;
      testScheduler.flush();
      const shown = seen.find(([, released]) => released === 1);
      expect(shown).toBeDefined();
      expect(shown?.[0]).toBeLessThanOrEqual(1 + 250);
    });

    it('follows the pipeline in virtual time', () => {
      const pick = ({ enqueued, pending, inFlight, released }: ReleaseStats) => ({ enqueued, pending, inFlight, released });
      const stats: ReturnType<typeof pick>[] = [];
      testScheduler.run(({ cold }) => {
        const t = new VirtualTarget('t', testScheduler, () => ({ delay: 3 }));
        const batcher = new ReleaseBatcher({ scheduler: testScheduler });
        cold('a-b').subscribe((id) => batcher.release(t, id));
        batcher.stats$.subscribe((s) => stats.push(pick(s)));
      });
      expect(stats).toEqual([
        { enqueued: 0, pending: 0, inFlight: 0, released: 0 }, // on subscribe
        { enqueued: 1, pending: 0, inFlight: 1, released: 0 }, // frame 0: a sent
        { enqueued: 2, pending: 0, inFlight: 2, released: 0 }, // frame 2: b sent
        { enqueued: 2, pending: 0, inFlight: 1, released: 1 }, // frame 3: a's batch settled
        { enqueued: 2, pending: 0, inFlight: 0, released: 2 }, // frame 5: b's batch settled
      ]);
    });

    it('keeps O(N / maxBatch) emissions when every answer comes in its own frame', () => {
      // One call in flight, answered one frame after it was sent: 3,200 settlements in 3,200 frames,
      // none sharing a checkpoint. Before the throttle this gave one emission per release.
      const seen: { at: number; stats: ReleaseStats }[] = [];
      testScheduler.run(() => {
        const t = new VirtualTarget('t', testScheduler, () => ({ delay: 1 }));
        const batcher = new ReleaseBatcher({ maxBatch: 64, maxInFlight: 1, scheduler: testScheduler });
        batcher.stats$.subscribe((s) => seen.push({ at: testScheduler.now(), stats: s }));
        for (let i = 0; i < 3200; i++) batcher.release(t, `id${i}`);
      });
      const last = seen[seen.length - 1]?.stats;
      expect(last).toMatchObject({ enqueued: 3200, released: 3200, pending: 0, inFlight: 0, batches: 50 });
      const seconds = Math.ceil(seen[seen.length - 1]!.at / 1000);
      expect(seconds).toBeGreaterThanOrEqual(3); // the answers really were spread over 3.2 s
      // subscribe + enqueue checkpoint + one per batch + at most four a second
      expect(seen.length).toBeLessThanOrEqual(2 + 50 + 4 * seconds + 1);
    });

    it('shows settlements within 250 ms while a batch waits on a stalled target', () => {
      // One batch: a call that is never answered (it completes only at its 30 s timeout) and 40 calls
      // answered one every 100 ms. No batch completes for 30 s, yet every settlement is seen in time.
      const seen: { at: number; released: number }[] = [];
      const settledAt: number[] = [];
      testScheduler.run(() => {
        let n = 0;
        const stalled = new VirtualTarget('stalled', testScheduler, () => 'never');
        const slow = new VirtualTarget('slow', testScheduler, () => ({ delay: 100 * ++n }));
        const batcher = new ReleaseBatcher({ scheduler: testScheduler });
        batcher.stats$.subscribe((s) => seen.push({ at: testScheduler.now(), released: s.released }));
        batcher.release(stalled, 'stuck');
        for (let i = 0; i < 40; i++) batcher.release(slow, `id${i}`);
        for (let i = 1; i <= 40; i++) settledAt.push(100 * i);
      });
      settledAt.forEach((t, i) => {
        const shown = seen.find((e) => e.released >= i + 1);
        expect(shown).toBeDefined();
        expect(shown!.at).toBeGreaterThanOrEqual(t);
        expect(shown!.at).toBeLessThanOrEqual(t + 250);
      });
      // ... and no more than four a second for it: 4 s of settling, then the timeout's batch
      const during = seen.filter((e) => e.at > 0 && e.at <= 4_250);
      expect(during.length).toBeLessThanOrEqual(4 * 4 + 1);
    });

    it('keeps O(N / maxBatch) emissions for 20,000 releases answered one per macrotask (real time)', async () => {
      const target: CdpTarget = { send: () => new Promise((resolve) => setImmediate(resolve)) };
      const batcher = new ReleaseBatcher({ maxBatch: 64 });
      let emissions = 0;
      const subscription = batcher.stats$.subscribe(() => emissions++);
      const t0 = performance.now();
      for (let i = 0; i < 20_000; i++) batcher.release(target, `id${i}`);
      await batcher.flush();
      const seconds = Math.ceil((performance.now() - t0) / 1000);
      subscription.unsubscribe();
      expect(batcher.stats).toMatchObject({ released: 20_000, batches: 313 });
      expect(emissions).toBeLessThanOrEqual(2 + 313 + 4 * seconds + 1);
      await batcher.close();
    });

    it('shows, at a checkpoint, everything that checkpoint sent (a burst to a slow target)', () => {
      // 100 releases to a target answering in 2 s: every call goes out at frame 1, so every emission
      // from frame 1 until the answers shows all 100 in flight and none pending.
      const seen: { at: number; pending: number; inFlight: number }[] = [];
      let sentAtFrame1 = 0;
      testScheduler.run(({ cold }) => {
        const t = new VirtualTarget('t', testScheduler, () => ({ delay: 2_000 }));
        const batcher = new ReleaseBatcher({ scheduler: testScheduler });
        batcher.stats$.subscribe(({ pending, inFlight }) => seen.push({ at: testScheduler.now(), pending, inFlight }));
        cold('-a').subscribe(() => {
          for (let i = 0; i < 100; i++) batcher.release(t, `id${i}`);
        });
        testScheduler.schedule(() => (sentAtFrame1 = t.calls.filter((c) => c.time === 1).length), 2);
      });
      expect(sentAtFrame1).toBe(100);
      const during = seen.filter((e) => e.at >= 1 && e.at < 2_001);
      expect(during.length).toBeGreaterThan(0);
      for (const e of during) expect(e).toEqual({ at: e.at, pending: 0, inFlight: 100 });
    });

    it('holds the invariant at every emission with mixed outcomes', () => {
      let n = 0;
      const t = new VirtualTarget('t', testScheduler, () => {
        n++;
        return n % 5 === 0 ? 'never' : n % 3 === 0 ? { delay: 2, error: protocolError('boom') } : { delay: n % 7 };
      });
      const batcher = new ReleaseBatcher({ maxBatch: 8, maxInFlight: 4, timeoutMs: 30, scheduler: testScheduler });
      const seen: ReleaseStats[] = [];
      batcher.stats$.subscribe((s) => seen.push(s));
      for (let i = 0; i < 200; i++) batcher.release(t, `id${i % 150}`);
      batcher.release(t, '');
      testScheduler.flush();
      for (const s of seen) expect(statsBalance(s)).toBe(true);
      expect(seen[seen.length - 1]).toMatchObject({ enqueued: 201, pending: 0, inFlight: 0, invalid: 1 });
    });
  });

  describe('batches$', () => {
    it('reports each settled batch with its size, outcomes and duration', () => {
      testScheduler.run(({ expectObservable }) => {
        const t = new VirtualTarget('t', testScheduler, (id) => (id === 'x' ? { delay: 4, error: protocolError('nope') } : { delay: 2 }));
        const batcher = new ReleaseBatcher({ maxBatch: 2, scheduler: testScheduler });
        const reports = batcher.batches$;
        testScheduler.schedule(() => { batcher.release(t, 'a'); batcher.release(t, 'x'); batcher.release(t, 'c'); }, 1);
        expectObservable(reports, '^ 10ms !').toBe('---y-x', {
          y: { index: 2, size: 1, released: 1, gone: 0, failed: 0, timedOut: 0, dropped: 0, invalid: 0, durationMs: 2 } satisfies BatchReport,
          x: { index: 1, size: 2, released: 1, gone: 0, failed: 1, timedOut: 0, dropped: 0, invalid: 0, durationMs: 4 } satisfies BatchReport,
        });
      });
    });
  });

  it('a batch report counts the calls of the batch that were dropped unsent', () => {
    testScheduler.run(({ expectObservable }) => {
      const t = new VirtualTarget('t', testScheduler, () => 'never');
      const batcher = new ReleaseBatcher({ maxBatch: 3, maxInFlight: 1, scheduler: testScheduler, timeoutMs: 60_000 });
      testScheduler.schedule(() => { batcher.release(t, 'a'); batcher.release(t, 'b'); batcher.release(t, 'c'); }, 1);
      testScheduler.schedule(() => batcher.forget(t), 3); // a in flight (gone), b and c waiting (dropped)
      expectObservable(batcher.batches$, '^ 10ms !').toBe('---r', {
        r: { index: 1, size: 3, released: 0, gone: 1, failed: 0, timedOut: 0, dropped: 2, invalid: 0, durationMs: 2 } satisfies BatchReport,
      });
    });
  });

  it('forget() of something that is no target never throws and forgets nothing', () => {
    const t = new VirtualTarget('t', testScheduler);
    const batcher = new ReleaseBatcher({ scheduler: testScheduler });
    for (const bad of [null, undefined, 'target', 42, Symbol('t'), { send: 'no' }]) expect(() => batcher.forget(bad as unknown as CdpTarget)).not.toThrow();
    batcher.release(t, 'a');
    testScheduler.flush();
    expect(batcher.stats).toMatchObject({ released: 1, dropped: 0 });
  });

  describe('flush() and close()', () => {
    it('two flushes that overlap: the second still waits for what was enqueued before the first', async () => {
      const batcher = new ReleaseBatcher();
      batcher.release(promiseTarget(40), 'a');
      void batcher.flush();
      await batcher.flush();
      expect(batcher.stats).toMatchObject({ released: 1, inFlight: 0, pending: 0 });
      batcher.release(promiseTarget(40), 'b');
      void batcher.flush();
      await batcher.close();
      expect(batcher.stats).toMatchObject({ released: 2, inFlight: 0, pending: 0 });
    });

    it('flush settles when everything enqueued before it settled, not later releases', async () => {
      const slow = promiseTarget(30);
      const batcher = new ReleaseBatcher();
      batcher.release(slow, 'a');
      const flushed = batcher.flush();
      batcher.release(promiseTarget(300), 'late');
      await flushed;
      expect(batcher.stats).toMatchObject({ released: 1, inFlight: 1 });
      await batcher.close();
    });

    it('flush on an idle batcher settles at once', async () => {
      const batcher = new ReleaseBatcher();
      await expect(batcher.flush()).resolves.toBeUndefined();
    });

    it('emits the last batch report before flush settles', async () => {
      const batcher = new ReleaseBatcher();
      const events: string[] = [];
      batcher.batches$.subscribe(() => events.push('report'));
      batcher.release(promiseTarget(1), 'a');
      await batcher.flush();
      events.push('flushed');
      expect(events).toEqual(['report', 'flushed']);
    });

    it('close flushes, emits the final stats, completes both streams and drops later releases', async () => {
      const t = promiseTarget(5);
      const batcher = new ReleaseBatcher();
      const stats: ReleaseStats[] = [];
      let statsDone = false;
      let batchesDone = false;
      batcher.stats$.subscribe({ next: (s) => stats.push(s), complete: () => (statsDone = true) });
      batcher.batches$.subscribe({ complete: () => (batchesDone = true) });
      batcher.release(t, 'a');
      const closing = batcher.close();
      expect(batcher.close()).toBe(closing);
      batcher.release(t, 'after');
      await closing;
      expect(statsDone && batchesDone).toBe(true);
      expect(t.ids).toEqual(['a']);
      expect(stats[stats.length - 1]).toMatchObject({ enqueued: 2, released: 1, dropped: 1, pending: 0, inFlight: 0 });
      batcher.release(t, 'later');
      expect(batcher.stats).toMatchObject({ enqueued: 3, dropped: 2 });
      const late: ReleaseStats[] = [];
      let lateDone = false;
      batcher.stats$.subscribe({ next: (s) => late.push(s), complete: () => (lateDone = true) });
      expect(late).toHaveLength(1);
      expect(lateDone).toBe(true);
    });

    it('Symbol.asyncDispose closes', async () => {
      const batcher = new ReleaseBatcher();
      await batcher[Symbol.asyncDispose]();
      expect(batcher.closed).toBe(true);
    });

    it('counts errors without rejecting flush, and raises no unhandled rejection', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (e: unknown): void => { unhandled.push(e); };
      process.on('unhandledRejection', onUnhandled);
      try {
        const batcher = new ReleaseBatcher();
        batcher.release(promiseTarget(1, new Error('Target closed')), 'a');
        batcher.release(promiseTarget(1, new Error('weird')), 'b');
        await batcher.close();
        await new Promise((r) => setTimeout(r, 20));
        expect(batcher.stats).toMatchObject({ gone: 1, failed: 1 });
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });
  });

  describe('scheduling', () => {
    it('schedules nothing while idle: no flush, no timer, no stats emission pending', () => {
      const counting = new CountingScheduler(testScheduler);
      const t = new VirtualTarget('t', testScheduler, () => ({ delay: 5 }));
      const batcher = new ReleaseBatcher({ scheduler: counting });
      expect(counting.active).toBe(0);
      batcher.release(t, 'a');
      expect(counting.active).toBeGreaterThan(0);
      testScheduler.flush();
      expect(batcher.stats.released).toBe(1);
      expect(counting.active).toBe(0);
    });

    it('a lone release is on the wire before any timer callback runs', async () => {
      const order: string[] = [];
      const target = { send: () => { order.push('sent'); return Promise.resolve({}); } };
      const batcher = new ReleaseBatcher();
      setTimeout(() => order.push('timer'), 0);
      batcher.release(target, 'a');
      await new Promise((r) => setTimeout(r, 10));
      expect(order).toEqual(['sent', 'timer']);
    });
  });

  describe('options', () => {
    it.each([
      [{ maxBatch: 0 }, /maxBatch/],
      [{ maxBatch: 1.5 }, /maxBatch/],
      [{ maxInFlight: -1 }, /maxInFlight/],
      [{ maxInFlight: Number.POSITIVE_INFINITY }, /maxInFlight/],
      [{ timeoutMs: -5 }, /timeoutMs/],
      [{ timeoutMs: Number.NaN }, /timeoutMs/],
      [{ timeoutMs: Number.POSITIVE_INFINITY }, /timeoutMs/],
      [{ scheduler: {} }, /scheduler/],
    ])('rejects %p with a RangeError naming the option', (options, name) => {
      expect(() => new ReleaseBatcher(options as never)).toThrow(RangeError);
      expect(() => new ReleaseBatcher(options as never)).toThrow(name);
    });

    it('says what it got: strings quoted, an options value that is no object named', () => {
      expect(() => new ReleaseBatcher({ maxBatch: '5' } as never)).toThrow('maxBatch must be an integer >= 1, got "5"');
      expect(() => new ReleaseBatcher({ maxBatch: 0 })).toThrow('maxBatch must be an integer >= 1, got 0');
      expect(() => new ReleaseBatcher('fast' as never)).toThrow(new RangeError('options must be an object, got "fast"'));
      expect(() => new ReleaseBatcher(7 as never)).toThrow(new RangeError('options must be an object, got 7'));
    });
  });
});
