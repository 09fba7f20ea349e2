import { TestScheduler } from 'rxjs/testing';
import { ReleaseCounters } from '../../src/internal/counters';
import { STATS_SETTLE_INTERVAL_MS, StatsStream } from '../../src/internal/statsStream';

describe('StatsStream', () => {
  let scheduler: TestScheduler;
  let counters: ReleaseCounters;
  let stream: StatsStream;
  let seen: { at: number; enqueued: number }[];
  beforeEach(() => {
    scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    counters = new ReleaseCounters();
    stream = new StatsStream(counters, scheduler);
    seen = [];
  });
  const watch = (): void => {
    stream.stats$.subscribe(({ enqueued }) => seen.push({ at: scheduler.now(), enqueued }));
  };

  it('emits a snapshot on subscribe, then one emission per checkpoint however many changes', () => {
    watch();
    expect(seen).toEqual([{ at: 0, enqueued: 0 }]);
    for (let i = 0; i < 5; i++) {
      counters.enqueued++;
      stream.atCheckpoint();
    }
    expect(seen).toHaveLength(1);
    scheduler.flush();
    expect(seen).toEqual([{ at: 0, enqueued: 0 }, { at: 0, enqueued: 5 }]);
  });

  it('waits, once, for requests handed in and not yet cut: the emission shows what they sent', () => {
    watch();
    counters.enqueued = 1;
    stream.handedIn(); // its emission is scheduled first
    let cutAt = -1;
    scheduler.schedule(() => {
      // the buffer's own flush, scheduled after the emission
      counters.enqueued = 2;
      stream.cut(1);
      cutAt = seen.length;
    });
    scheduler.flush();
    expect(cutAt).toBe(1); // nothing was emitted before the cut
    expect(seen).toEqual([{ at: 0, enqueued: 0 }, { at: 0, enqueued: 2 }]);
  });

  it('does not wait for a cut that never comes in this checkpoint (emits after one deferral)', () => {
    watch();
    stream.handedIn();
    scheduler.flush();
    expect(seen).toHaveLength(2);
  });

  it('throttles settlements to one emission per interval, only while observed', () => {
    stream.settled(); // unobserved: schedules nothing
    expect(scheduler.actions).toHaveLength(0);
    watch();
    scheduler.run(() => {
      for (const at of [10, 20, 30, 300]) {
        scheduler.schedule(() => {
          counters.enqueued++;
          stream.settled();
        }, at);
      }
    });
    // the first at once (nothing emitted before), the next two together one interval later, then the last
    expect(seen.map((s) => s.at)).toEqual([0, 10, 10 + STATS_SETTLE_INTERVAL_MS, 10 + 2 * STATS_SETTLE_INTERVAL_MS]);
    expect(seen.map((s) => s.enqueued)).toEqual([0, 1, 3, 4]);
  });

  it('emits at once when a batch is reported, cancelling a throttled emission it carries', () => {
    watch();
    scheduler.run(() => {
      scheduler.schedule(() => {
        stream.reported(); // emittedAt = 5
        counters.enqueued++;
        stream.settled(); // throttled to 255
        scheduler.schedule(() => {
          counters.enqueued++;
          stream.reported(); // carries the settlement
          counters.enqueued++;
          stream.changed(); // a timer left running would show this at 255
        }, 100);
      }, 5);
    });
    expect(seen).toEqual([{ at: 0, enqueued: 0 }, { at: 5, enqueued: 0 }, { at: 105, enqueued: 2 }]);
  });

  it('shows a change marked by changed() with the next emission, and none on its own', () => {
    watch();
    counters.enqueued = 7;
    stream.changed();
    scheduler.flush();
    expect(seen).toHaveLength(1);
    stream.reported();
    expect(seen[1]).toEqual({ at: 0, enqueued: 7 });
  });

  it('completes with a final snapshot, leaving nothing scheduled', () => {
    let completed = false;
    stream.stats$.subscribe({ next: ({ enqueued }) => seen.push({ at: scheduler.now(), enqueued }), complete: () => (completed = true) });
    counters.enqueued = 3;
    stream.atCheckpoint();
    stream.complete();
    expect(completed).toBe(true);
    expect(seen).toEqual([{ at: 0, enqueued: 0 }, { at: 0, enqueued: 3 }]);
    expect(scheduler.actions).toHaveLength(0);
  });
});
