import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import { TestScheduler } from 'rxjs/testing';
import { CHANNELS, type BatchSettledMessage, type LeakMessage, type ReleaseSettledMessage, type TargetGoneMessage } from '../src/diagnostics';
import { markTargetGone } from '../src/internal/targetLifecycle';
import { ReleaseBatcher } from '../src/ReleaseBatcher';
import type { CdpTarget } from '../src/target';
import { createTestTarget } from '../src/testing/testTarget';
import { exposeGc } from './support/gc';
import { VirtualTarget, protocolError } from './support/virtualTarget';

/** Subscribes to `name` for the test; returns what was published. */
function listen(name: string): { messages: unknown[]; stop: () => void } {
  const messages: unknown[] = [];
  const onMessage = (message: unknown): void => void messages.push(message);
  subscribe(name, onMessage);
  return { messages, stop: () => unsubscribe(name, onMessage) };
}

describe('diagnostics channels', () => {
  let scheduler: TestScheduler;
  const stops: (() => void)[] = [];
  beforeEach(() => {
    scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  });
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });
  const on = <M>(name: string): M[] => {
    const l = listen(name);
    stops.push(l.stop);
    return l.messages as M[];
  };

  it('are named cdp-release-batcher:<event>', () => {
    expect(CHANNELS).toEqual({
      release: 'cdp-release-batcher:release',
      batch: 'cdp-release-batcher:batch',
      leak: 'cdp-release-batcher:leak',
      targetGone: 'cdp-release-batcher:target-gone',
    });
  });

  it('publishes every settled call with its batcher, target, method, id, outcome, send-to-answer time and error', () => {
    const releases = on<ReleaseSettledMessage>(CHANNELS.release);
    scheduler.run(() => {
      const target = new VirtualTarget('t', scheduler, (id) => (id === 'gone' ? { delay: 3, error: protocolError('Could not find object with given id') } : id === 'bad' ? { delay: 2, error: new Error('boom') } : { delay: 5 }));
      const batcher = new ReleaseBatcher({ scheduler });
      batcher.release(target, 'ok');
      batcher.release(target, 'gone');
      batcher.release(target, 'bad');
      batcher.releaseGroup(target, 'g');
      scheduler.flush();
      expect(releases).toEqual([
        { batcher, target, method: 'Runtime.releaseObject', id: 'bad', outcome: 'failed', sent: true, durationMs: 2, error: 'boom' },
        { batcher, target, method: 'Runtime.releaseObject', id: 'gone', outcome: 'gone', sent: true, durationMs: 3, error: 'Could not find object with given id' },
        { batcher, target, method: 'Runtime.releaseObject', id: 'ok', outcome: 'released', sent: true, durationMs: 5, error: null },
        { batcher, target, method: 'Runtime.releaseObjectGroup', id: 'g', outcome: 'released', sent: true, durationMs: 5, error: null },
      ]);
    });
  });

  it('measures a call from its send, not from its enqueue: time waiting for a slot is not in durationMs', () => {
    const releases = on<ReleaseSettledMessage>(CHANNELS.release);
    scheduler.run(() => {
      const target = createTestTarget(scheduler, { latency: 4 });
      const batcher = new ReleaseBatcher({ scheduler, maxInFlight: 1 });
      for (const id of ['a', 'b', 'c']) batcher.release(target, id);
      scheduler.flush();
    });
    // c waited 8 frames for its slot, and was answered 4 frames after it was sent
    expect(releases.map((m) => [m.id, m.durationMs])).toEqual([['a', 4], ['b', 4], ['c', 4]]);
  });

  it('gives the reason of calls that end unsent or unanswered', () => {
    const releases = on<ReleaseSettledMessage>(CHANNELS.release);
    scheduler.run(() => {
      const stuck = createTestTarget(scheduler, { reply: () => 'never' });
      const batcher = new ReleaseBatcher({ scheduler, maxInFlight: 1, timeoutMs: 50 });
      batcher.release(stuck, 'first');
      batcher.release(stuck, 'second');
      scheduler.flush();
      const gone = createTestTarget(scheduler, { reply: () => 'never' });
      batcher.release(gone, 'inFlight');
      batcher.release(gone, 'waiting');
      scheduler.schedule(() => markTargetGone(gone), 2);
      scheduler.flush();
    });
    expect(releases.map(({ id, outcome, sent, durationMs, error }) => ({ id, outcome, sent, durationMs, error }))).toEqual([
      { id: 'first', outcome: 'timedOut', sent: true, durationMs: 50, error: 'no answer within timeoutMs (50 ms)' },
      { id: 'second', outcome: 'timedOut', sent: false, durationMs: null, error: 'not sent: the target left an earlier call unanswered past timeoutMs' },
      { id: 'waiting', outcome: 'dropped', sent: false, durationMs: null, error: 'not sent: the target is gone' },
      { id: 'inFlight', outcome: 'gone', sent: true, durationMs: 2, error: 'the target went away while the call was in flight' },
    ]);
  });

  it('publishes each settled batch with its report, once, as batches$ emits it', () => {
    const batches = on<BatchSettledMessage>(CHANNELS.batch);
    scheduler.run(() => {
      const target = createTestTarget(scheduler, { latency: 2 });
      const batcher = new ReleaseBatcher({ scheduler, maxBatch: 2 });
      const reports: unknown[] = [];
      batcher.batches$.subscribe((r) => reports.push(r));
      for (const id of ['a', 'b', 'c']) batcher.release(target, id);
      scheduler.flush();
      expect(batches.map((m) => m.batcher)).toEqual([batcher, batcher]);
      expect(batches.map((m) => m.report)).toEqual(reports);
      expect(reports).toHaveLength(2);
    });
  });

  it('publishes a target marked gone', () => {
    const gone = on<TargetGoneMessage>(CHANNELS.targetGone);
    const target: CdpTarget = { send: () => Promise.resolve({}) };
    markTargetGone(target);
    markTargetGone(target); // once
    expect(gone).toEqual([{ target }]);
  });

  it('publishes a leak: a handle collected undisposed, with the objects it held', async () => {
    const leaks = on<LeakMessage>(CHANNELS.leak);
    const batcher = new ReleaseBatcher({ trackLeaks: true });
    const target: CdpTarget = { send: () => Promise.resolve({}) };
    (() => {
      batcher.adopt(target, 'leaked-1'); // dropped without dispose
    })();
    const gc = exposeGc();
    for (let i = 0; i < 20 && leaks.length === 0; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(leaks).toEqual([{ batcher, objects: 1 }]);
    await batcher.close();
    expect(batcher.stats).toMatchObject({ leaked: 1, released: 1 });
  });

  it('builds and publishes nothing while nobody subscribes', () => {
    const published: string[] = [];
    const spies = Object.values(CHANNELS).map((name) => jest.spyOn(channel(name), 'publish').mockImplementation(() => void published.push(name)));
    try {
      scheduler.run(() => {
        const target = createTestTarget(scheduler, { reply: (_m, p) => ((p as { objectId: string }).objectId === 'x' ? 'gone' : 'released') });
        const batcher = new ReleaseBatcher({ scheduler });
        batcher.release(target, 'a');
        batcher.release(target, 'x');
        scheduler.flush();
        markTargetGone(target);
        expect(batcher.stats).toMatchObject({ released: 1, gone: 1 });
      });
      expect(published).toEqual([]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('stats.errors', () => {
  it('keeps the last distinct messages behind failed and gone, with their counts, eight per outcome at most', async () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(() => {
      const target = new VirtualTarget('t', scheduler, (id) => {
        if (id.startsWith('gone')) return { delay: 1, error: protocolError('Could not find object with given id') };
        if (id.startsWith('fail')) return { delay: 1, error: new Error(`failure ${id.slice(4)}`) };
        return { delay: 1 };
      });
      const batcher = new ReleaseBatcher({ scheduler });
      expect(batcher.stats.errors).toEqual({ failed: [], gone: [] });
      for (let i = 0; i < 3; i++) batcher.release(target, `gone${i}`);
      for (let i = 0; i < 10; i++) batcher.release(target, `fail${i}`);
      batcher.release(target, 'fail9b'); // another message
      batcher.release(target, 'fine');
      scheduler.flush();
      const { errors } = batcher.stats;
      expect(errors.gone).toEqual([{ message: 'Could not find object with given id', count: 3 }]);
      expect(errors.failed).toHaveLength(8);
      expect(errors.failed.map((e) => e.message)).toEqual(['failure 3', 'failure 4', 'failure 5', 'failure 6', 'failure 7', 'failure 8', 'failure 9', 'failure 9b']);
      expect(Object.isFrozen(errors) && Object.isFrozen(errors.failed)).toBe(true);
      // the same message again moves it to the end and counts it
      batcher.release(target, 'fail3');
      scheduler.flush();
      expect(batcher.stats.errors.failed.at(-1)).toEqual({ message: 'failure 3', count: 2 });
    });
  });

  it('names why a release settled gone unsent: its execution context was destroyed', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(() => {
      const listeners = new Map<string, (params: unknown) => void>();
      const target = Object.assign(createTestTarget(scheduler, { latency: 5 }), {
        on: (event: string, listener: (params: unknown) => void) => void listeners.set(event, listener),
        off: () => undefined,
      });
      const batcher = new ReleaseBatcher({ scheduler, maxInFlight: 1 });
      batcher.release(target, '1.2.1');
      batcher.release(target, '1.2.2');
      scheduler.schedule(() => listeners.get('Runtime.executionContextsCleared')?.({}), 1);
      scheduler.flush();
      expect(batcher.stats.errors.gone).toEqual([{ message: 'not sent: its execution context was destroyed', count: 1 }]);
    });
  });
});
