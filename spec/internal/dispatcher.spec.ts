import { TestScheduler } from 'rxjs/testing';
import { ReleaseDispatcher, type DispatchHooks } from '../../src/internal/dispatcher';
import { resolveBatchOptions } from '../../src/internal/resolveOptions';
import type { BatchOptions } from '../../src/options';
import type { ReleaseOutcome } from '../../src/outcome';
import { isValidRequest, type ReleaseRequest } from '../../src/request';
import type { BatchReport } from '../../src/stats';
import { markTargetGone } from '../../src/internal/targetLifecycle';
import { VirtualTarget } from '../support/virtualTarget';

/** Everything a dispatcher tells its owner, in order. */
function recorder(): DispatchHooks<ReleaseRequest> & { events: string[]; reports: BatchReport[]; idles: number } {
  const events: string[] = [];
  const reports: BatchReport[] = [];
  const hooks = {
    events,
    reports,
    idles: 0,
    cut: (size: number) => events.push(`batch ${size}`),
    sent: (r: ReleaseRequest) => events.push(`sent ${r.objectId ?? r.objectGroup}`),
    settled: (r: ReleaseRequest, outcome: ReleaseOutcome, wasSent: boolean, report: BatchReport | undefined) => {
      events.push(`${outcome} ${r.objectId ?? r.objectGroup}${wasSent ? '' : ' (unsent)'}`);
      if (report === undefined) return;
      events.push(`report ${report.index}`);
      reports.push(report);
    },
    idle: () => {
      hooks.idles++;
      events.push('idle');
    },
  };
  return hooks;
}

describe('ReleaseDispatcher', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  });
  const dispatcherOf = (hooks: DispatchHooks<ReleaseRequest>, options: BatchOptions = {}): ReleaseDispatcher<ReleaseRequest> =>
    new ReleaseDispatcher(resolveBatchOptions({ scheduler, ...options }), hooks);

  it('reports each batch once its last call settled, in the order batches settle, then says it is idle', () => {
    scheduler.run(() => {
      const hooks = recorder();
      const slow = new VirtualTarget('slow', scheduler, () => ({ delay: 5 }));
      const fast = new VirtualTarget('fast', scheduler, () => ({ delay: 1 }));
      const dispatcher = dispatcherOf(hooks);
      dispatcher.dispatch([{ target: slow, objectId: 'a' }, { target: fast, objectId: 'b' }]);
      dispatcher.dispatch([{ target: fast, objectId: 'c' }]);
      expect(dispatcher.idle).toBe(false);
      scheduler.flush();
      expect(hooks.events).toEqual(['batch 2', 'sent a', 'sent b', 'batch 1', 'sent c', 'released b', 'released c', 'report 2', 'released a', 'report 1', 'idle']);
      expect(hooks.reports.map((r) => [r.index, r.size, r.released, r.durationMs])).toEqual([[2, 1, 1, 1], [1, 2, 2, 5]]);
      expect(dispatcher.idle).toBe(true);
    });
  });

  it('asks isValid once per request: an invalid one is counted in its batch, never sent', () => {
    scheduler.run(() => {
      const hooks = recorder();
      const t = new VirtualTarget('t', scheduler);
      const asked: unknown[] = [];
      const dispatcher = dispatcherOf(hooks);
      const bad = { target: t, objectId: '' } as ReleaseRequest;
      dispatcher.dispatch([{ target: t, objectId: 'ok' }, bad], (r) => {
        asked.push(r);
        return isValidRequest(r);
      });
      scheduler.flush();
      expect(asked).toHaveLength(2);
      expect(t.ids).toEqual(['ok']);
      expect(hooks.reports[0]).toMatchObject({ size: 2, released: 1, invalid: 1 });
      expect(hooks.events).toContain('invalid  (unsent)');
    });
  });

  it('keeps which targets are forgotten: their later requests are dropped unsent, in their batch', () => {
    scheduler.run(() => {
      const hooks = recorder();
      const t = new VirtualTarget('t', scheduler, () => 'never');
      const other = new VirtualTarget('other', scheduler);
      const dispatcher = dispatcherOf(hooks);
      dispatcher.dispatch([{ target: t, objectId: 'a' }]);
      expect(dispatcher.isForgotten(t)).toBe(false);
      dispatcher.forget(t);
      expect(dispatcher.isForgotten(t)).toBe(true);
      expect(dispatcher.isForgotten(other)).toBe(false);
      dispatcher.dispatch([{ target: t, objectId: 'b' }, { target: other, objectId: 'c' }]);
      scheduler.flush();
      expect(t.ids).toEqual(['a']);
      expect(hooks.reports).toEqual([
        expect.objectContaining({ index: 1, gone: 1 }),
        expect.objectContaining({ index: 2, dropped: 1, released: 1 }),
      ]);
    });
  });

  it('sees targets marked gone process-wide as forgotten, and settles their calls in flight at once', () => {
    scheduler.run(() => {
      const hooks = recorder();
      const t = new VirtualTarget('t', scheduler, () => 'never');
      const dispatcher = dispatcherOf(hooks);
      dispatcher.dispatch([{ target: t, objectId: 'a' }]);
      scheduler.schedule(() => markTargetGone(t), 3);
      scheduler.flush();
      expect(dispatcher.isForgotten(t)).toBe(true);
      expect(hooks.events).toEqual(['batch 1', 'sent a', 'gone a', 'report 1', 'idle']);
      expect(hooks.reports[0]?.durationMs).toBe(3);
    });
  });

  it('teardown drops what waits for a slot and every later batch; calls in flight still settle', () => {
    scheduler.run(() => {
      const hooks = recorder();
      const t = new VirtualTarget('t', scheduler, () => ({ delay: 4 }));
      const dispatcher = dispatcherOf(hooks, { maxInFlight: 1 });
      dispatcher.dispatch([{ target: t, objectId: 'a' }, { target: t, objectId: 'b' }]);
      dispatcher.teardown();
      dispatcher.dispatch([{ target: t, objectId: 'c' }]);
      scheduler.flush();
      expect(t.ids).toEqual(['a']);
      expect(hooks.events).toEqual(['batch 2', 'sent a', 'dropped b (unsent)', 'batch 1', 'dropped c (unsent)', 'report 2', 'released a', 'report 1', 'idle']);
    });
  });

  it('gives each target its own adaptive window, starting at the cap for a client other than chrome-remote-interface; a fixed maxInFlight bounds each target', () => {
    scheduler.run(() => {
      const a = new VirtualTarget('a', scheduler, () => ({ delay: 1 }));
      const b = new VirtualTarget('b', scheduler, () => ({ delay: 1 }));
      const adaptive = dispatcherOf(recorder());
      const burst = (target: VirtualTarget, n: number): ReleaseRequest[] => Array.from({ length: n }, (_, i) => ({ target, objectId: `${target.name}${i}` }));
      adaptive.dispatch(burst(a, 2000));
      adaptive.dispatch(burst(b, 10));
      scheduler.flush();
      // not chrome-remote-interface: the adaptive window starts at the cap (1024)
      expect(a.maxOutstanding).toBe(1024);
      expect(b.maxOutstanding).toBe(10);
      const fixed = dispatcherOf(recorder(), { maxInFlight: 3 });
      const c = new VirtualTarget('c', scheduler, () => ({ delay: 1 }));
      const d = new VirtualTarget('d', scheduler, () => ({ delay: 1 }));
      fixed.dispatch([...burst(c, 10), ...burst(d, 10)]);
      scheduler.flush();
      expect([c.maxOutstanding, d.maxOutstanding]).toEqual([3, 3]);
    });
  });
});
