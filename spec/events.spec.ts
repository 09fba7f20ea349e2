import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { releaseEvents, toServerSentEvents, type ReleaseEvent } from '../src/events';
import type { BatchReport, ReleaseStats } from '../src/index';
import { ReleaseBatcher } from '../src/index';
import { VirtualTarget } from './support/virtualTarget';

const stats = (released: number): ReleaseStats => ({ enqueued: released, pending: 0, inFlight: 0, released, gone: 0, failed: 0, timedOut: 0, dropped: 0, duplicate: 0, invalid: 0, leaked: 0, batches: 0, watched: 0, watchedByPage: [], errors: { failed: [], gone: [] } });
const batch = (index: number): BatchReport => ({ index, size: 1, released: 1, gone: 0, failed: 0, timedOut: 0, dropped: 0, invalid: 0, durationMs: 1 });

describe('releaseEvents', () => {
  const scheduler = (): TestScheduler => new TestScheduler((a, b) => expect(a).toEqual(b));

  it('throttles stats (first at once, last never lost) and groups the batches of each interval', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const stats$ = cold<ReleaseStats>('a-b-c 200ms d|', { a: stats(1), b: stats(2), c: stats(3), d: stats(4) });
      const batches$ = cold<BatchReport>('-x-y 300ms z|', { x: batch(1), y: batch(2), z: batch(3) });
      const events = releaseEvents({ stats$, batches$ }, { intervalMs: 100, scheduler: ts });
      expectObservable(events).toBe('a 99ms cb 103ms d 99ms (e|)', {
        a: { type: 'stats', at: 0, stats: stats(1) },
        b: { type: 'batches', at: 101, batches: [batch(1), batch(2)] },
        c: { type: 'stats', at: 100, stats: stats(3) },
        d: { type: 'stats', at: 205, stats: stats(4) },
        e: { type: 'batches', at: 305, batches: [batch(3)] },
      });
    });
  });

  it('sends every change with intervalMs 0, and completes when the batcher closes', async () => {
    const ts = scheduler();
    let closing: Promise<void> = Promise.resolve();
    const seen: ReleaseEvent[] = [];
    let completed = false;
    ts.run(({ flush }) => {
      const batcher = new ReleaseBatcher({ scheduler: ts });
      const target = new VirtualTarget('t', ts, () => ({ delay: 5 }));
      releaseEvents(batcher, { intervalMs: 0, scheduler: ts }).subscribe({ next: (e) => seen.push(e), complete: () => (completed = true) });
      for (let i = 0; i < 100; i++) batcher.release(target, `o${i}`);
      closing = batcher.close();
      flush();
    });
    await closing; // close() settles through real promises
    expect(completed).toBe(true);
    const last = seen.filter((e) => e.type === 'stats').at(-1);
    expect(last).toMatchObject({ stats: { released: 100, pending: 0, inFlight: 0 } });
    const reported = seen.flatMap((e) => (e.type === 'batches' ? e.batches : []));
    expect(reported.reduce((n, b) => n + b.released, 0)).toBe(100);
  });

  it('holds no timer while nothing happens', () => {
    const ts = scheduler();
    ts.run(({ flush }) => {
      const stats$ = new Subject<ReleaseStats>();
      const batches$ = new Subject<BatchReport>();
      const sub = releaseEvents({ stats$, batches$ }, { intervalMs: 100, scheduler: ts }).subscribe();
      flush();
      expect(ts.actions.length).toBe(0);
      batches$.next(batch(1));
      expect(ts.actions.length).toBeGreaterThan(0);
      flush();
      expect(ts.actions.length).toBe(0);
      sub.unsubscribe();
    });
  });

  it('rejects a bad interval with a RangeError', () => {
    const source = { stats$: new Subject<ReleaseStats>(), batches$: new Subject<BatchReport>() };
    for (const [intervalMs, got] of [[-1, '-1'], [Number.NaN, 'NaN'], [Infinity, 'Infinity'], ['100', '100'], [true, 'true']] as const) {
      expect(() => releaseEvents(source, { intervalMs: intervalMs as never })).toThrow(RangeError);
      expect(() => releaseEvents(source, { intervalMs: intervalMs as never })).toThrow(`intervalMs must be a finite number >= 0, got ${got}`);
    }
  });

  it('with intervalMs 0 sends each stats change and each batch as it comes, none merged or dropped', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const stats$ = cold<ReleaseStats>('(abc|)', { a: stats(1), b: stats(2), c: stats(3) });
      const batches$ = cold<BatchReport>('(xy|)', { x: batch(1), y: batch(2) });
      expectObservable(releaseEvents({ stats$, batches$ }, { intervalMs: 0, scheduler: ts })).toBe('(abcxy|)', {
        a: { type: 'stats', at: 0, stats: stats(1) },
        b: { type: 'stats', at: 0, stats: stats(2) },
        c: { type: 'stats', at: 0, stats: stats(3) },
        x: { type: 'batches', at: 0, batches: [batch(1)] },
        y: { type: 'batches', at: 0, batches: [batch(2)] },
      });
    });
  });
});

describe('toServerSentEvents', () => {
  it('frames each event as event + one data line of JSON', () => {
    const frames: string[] = [];
    const events = new Subject<ReleaseEvent>();
    events.pipe(toServerSentEvents()).subscribe((f) => frames.push(f));
    events.next({ type: 'stats', at: 1, stats: stats(2) });
    expect(frames).toEqual([`event: stats\ndata: ${JSON.stringify({ type: 'stats', at: 1, stats: stats(2) })}\n\n`]);
  });
});
