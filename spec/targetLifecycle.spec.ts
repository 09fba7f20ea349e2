import { EventEmitter } from 'node:events';
import { TestScheduler } from 'rxjs/testing';
import { criSession, type CriClient } from '../src/criSession';
import { processWide } from '../src/internal/processState';

/** The lifecycle's process-wide record, as every copy of the library reads it. */
const lifecycle = processWide<{ goneListeners: WeakMap<object, Set<unknown>> }>('target-lifecycle@1', () => {
  throw new Error('the target lifecycle record exists once the library is loaded');
});
import { ReleaseBatcher } from '../src/ReleaseBatcher';
import { statsBalance } from '../src/stats';
import { isTargetGone, markTargetGone } from '../src/internal/targetLifecycle';
import { VirtualTarget, protocolError } from './support/virtualTarget';

/** A stand-in for a chrome-remote-interface client: flat-mode send in virtual time, real events. */
class FakeCriClient extends EventEmitter implements CriClient {
  readonly _ws = {};
  readonly sent: [string, string, string][] = [];
  constructor(private readonly inner: VirtualTarget) {
    super();
  }
  send(method: 'Runtime.releaseObject' | 'Runtime.releaseObjectGroup', params: { objectId?: string; objectGroup?: string }, sessionId?: string): PromiseLike<unknown> {
    this.sent.push([method, params.objectId ?? params.objectGroup ?? '', sessionId ?? '']);
    return this.inner.send(method, params);
  }
}

describe('target lifecycle', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  });

  it('forget drops pending releases unsent, settles in-flight ones gone at once, drops later ones', () => {
    const hung = new VirtualTarget('hung', testScheduler, () => 'never');
    const other = new VirtualTarget('other', testScheduler, () => ({ delay: 5 }));
    const batcher = new ReleaseBatcher({ scheduler: testScheduler, maxInFlight: 2, timeoutMs: 30_000 });
    for (let i = 0; i < 5; i++) batcher.release(hung, `h${i}`);
    batcher.release(other, 'o1');
    testScheduler.schedule(() => {
      expect(batcher.stats).toMatchObject({ inFlight: 3, pending: 3 });
      batcher.forget(hung);
      expect(batcher.stats).toMatchObject({ gone: 2, dropped: 3, inFlight: 1, pending: 0 });
      batcher.release(hung, 'later');
      batcher.release(other, 'o2');
      batcher.flush$().subscribe(() => (settledAt = testScheduler.now()));
    }, 1);
    let settledAt = -1;
    testScheduler.maxFrames = 60_000; // room for the 30 s timeout, had anything waited for it
    testScheduler.flush();
    // everything settled when `other` answered o2 (5 frames after frame 1): nobody waited for the timeout
    expect(settledAt).toBe(6);
    expect(hung.ids).toEqual(['h0', 'h1']);
    expect(other.ids).toEqual(['o1', 'o2']);
    expect(batcher.stats).toMatchObject({ enqueued: 8, gone: 2, dropped: 4, released: 2, timedOut: 0, pending: 0, inFlight: 0 });
    expect(statsBalance(batcher.stats)).toBe(true);
  });

  it('a lane listens for its target going while it has work and stops when idle: one listener per busy lane, none after', () => {
    const t = new VirtualTarget('t', testScheduler, () => ({ delay: 3 }));
    const batcher = new ReleaseBatcher({ scheduler: testScheduler });
    const listeners = (): number => lifecycle.goneListeners.get(t)?.size ?? 0;
    const seen: number[] = [];
    for (let burst = 0; burst < 5; burst++) {
      testScheduler.schedule(() => {
        for (let i = 0; i < 100; i++) batcher.release(t, `b${burst}-${i}`);
      }, burst * 10);
      testScheduler.schedule(() => seen.push(listeners()), burst * 10 + 1); // under way
      testScheduler.schedule(() => seen.push(listeners()), burst * 10 + 8); // settled, idle
    }
    testScheduler.flush();
    expect(seen).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    expect(lifecycle.goneListeners.has(t)).toBe(false);
    expect(batcher.stats).toMatchObject({ released: 500 });
  });

  it('forget of releases still in the flush window drops them when the batch is cut', () => {
    const t = new VirtualTarget('t', testScheduler);
    const batcher = new ReleaseBatcher({ scheduler: testScheduler });
    batcher.release(t, 'a');
    batcher.forget(t);
    testScheduler.flush();
    expect(t.calls).toHaveLength(0);
    expect(batcher.stats).toMatchObject({ dropped: 1, pending: 0 });
  });

  it('an answer saying the session is gone ends the target: the rest are dropped or settled gone', () => {
    let first = true;
    const t = new VirtualTarget('t', testScheduler, () => {
      if (!first) return 'never';
      first = false;
      return { delay: 1, error: protocolError('Session with given id not found.', -32001) };
    });
    const batcher = new ReleaseBatcher({ scheduler: testScheduler, maxInFlight: 3 });
    for (let i = 0; i < 6; i++) batcher.release(t, `id${i}`);
    testScheduler.schedule(() => batcher.release(t, 'after'), 10);
    testScheduler.flush();
    expect(t.ids).toEqual(['id0', 'id1', 'id2']);
    expect(isTargetGone(t)).toBe(true);
    expect(batcher.stats).toMatchObject({ gone: 3, dropped: 4, timedOut: 0, pending: 0, inFlight: 0 });
  });

  it('markTargetGone reaches every batcher that holds releases for the target', () => {
    const t = new VirtualTarget('t', testScheduler, () => 'never');
    const a = new ReleaseBatcher({ scheduler: testScheduler });
    const b = new ReleaseBatcher({ scheduler: testScheduler });
    a.release(t, 'x');
    b.release(t, 'y');
    testScheduler.schedule(() => markTargetGone(t), 1);
    testScheduler.flush();
    expect(a.stats).toMatchObject({ gone: 1, inFlight: 0 });
    expect(b.stats).toMatchObject({ gone: 1, inFlight: 0 });
    expect(testScheduler.now()).toBeLessThan(100);
  });

  describe('criSession', () => {
    it('is one object per (client, sessionId) and sends flat-mode commands on that session', () => {
      const client = new FakeCriClient(new VirtualTarget('wire', testScheduler));
      const s1 = criSession(client, 'S1');
      expect(criSession(client, 'S1')).toBe(s1);
      expect(criSession(client, 'S2')).not.toBe(s1);
      expect(s1.sessionId).toBe('S1');
      const batcher = new ReleaseBatcher({ scheduler: testScheduler });
      batcher.release(s1, 'a');
      batcher.release(criSession(client, 'S1'), 'a'); // same target: a duplicate
      batcher.releaseGroup(criSession(client, 'S2'), 'g');
      testScheduler.flush();
      expect(client.sent).toEqual([['Runtime.releaseObject', 'a', 'S1'], ['Runtime.releaseObjectGroup', 'g', 'S2']]);
      expect(batcher.stats).toMatchObject({ released: 2, duplicate: 1 });
    });

    it('rejects a bad client or session id with a TypeError that says which', () => {
      const send = () => Promise.resolve({});
      const on = () => undefined;
      for (const client of [null, 'client', {}, { send }, { on }, { send: 1, on }, { send, on: 1 }]) {
        expect(() => criSession(client as never, 'S')).toThrow(new TypeError('criSession: client must be a chrome-remote-interface client (with send and on)'));
      }
      for (const sessionId of ['', 42, undefined]) {
        expect(() => criSession({ send, on }, sessionId as never)).toThrow(new TypeError('criSession: sessionId must be a non-empty string'));
      }
      expect(criSession({ send, on }, 'S').sessionId).toBe('S');
    });

    it.each([
      ['detaches (Target.detachedFromTarget)', (c: FakeCriClient) => c.emit('Target.detachedFromTarget', { sessionId: 'S1' }), 2],
      ['crashes (Inspector.targetCrashed on its session)', (c: FakeCriClient) => c.emit('Inspector.targetCrashed', {}, 'S1'), 2],
      // the connection carries both sessions: S2's call in flight goes too
      ['loses its connection (disconnect)', (c: FakeCriClient) => c.emit('disconnect'), 3],
    ])('is forgotten at once when it %s', (_what, end, gone) => {
      const client = new FakeCriClient(new VirtualTarget('wire', testScheduler, (id) => (id.startsWith('s1') ? 'never' : { delay: 2 })));
      const s1 = criSession(client, 'S1');
      const s2 = criSession(client, 'S2');
      const batcher = new ReleaseBatcher({ scheduler: testScheduler, maxInFlight: 2 });
      for (let i = 0; i < 4; i++) batcher.release(s1, `s1-${i}`);
      batcher.release(s2, 's2-0');
      testScheduler.schedule(() => end(client), 1);
      testScheduler.schedule(() => batcher.release(s1, 's1-after'), 2);
      testScheduler.flush();
      expect(testScheduler.now()).toBeLessThan(100);
      expect(batcher.stats).toMatchObject({ gone, dropped: 3, timedOut: 0, pending: 0, inFlight: 0 });
      expect(isTargetGone(s1)).toBe(true);
      expect(criSession(client, 'S1')).not.toBe(s1); // a gone session is not handed out again
    });

    it('a chrome-remote-interface client used directly is forgotten on disconnect and on its own crash', () => {
      for (const end of [(c: FakeCriClient) => c.emit('disconnect'), (c: FakeCriClient) => c.emit('Inspector.targetCrashed', {})]) {
        const client = new FakeCriClient(new VirtualTarget('wire', testScheduler, () => 'never'));
        const batcher = new ReleaseBatcher({ scheduler: testScheduler });
        batcher.release(client, 'a');
        testScheduler.schedule(() => end(client), 1);
        testScheduler.flush();
        expect(batcher.stats).toMatchObject({ gone: 1, inFlight: 0, timedOut: 0 });
      }
    });

    it('a target that throws when asked what it is is not taken for a chrome-remote-interface client: nothing is hooked', () => {
      const inner = new VirtualTarget('wire', testScheduler, () => ({ delay: 1 }));
      const on = jest.fn();
      const send = (method: 'Runtime.releaseObject', params: { objectId: string }) => inner.send(method, params);
      const hostile = new Proxy({ on, send }, {
        has: () => {
          throw new Error('no questions');
        },
      });
      const batcher = new ReleaseBatcher({ scheduler: testScheduler });
      batcher.release(hostile as never, 'a');
      testScheduler.flush();
      expect(batcher.stats).toMatchObject({ released: 1 });
      expect(on).not.toHaveBeenCalled();
    });

    it('a crash of another session on the same client does not end the client', () => {
      const client = new FakeCriClient(new VirtualTarget('wire', testScheduler, () => ({ delay: 3 })));
      const batcher = new ReleaseBatcher({ scheduler: testScheduler });
      batcher.release(client, 'a');
      testScheduler.schedule(() => client.emit('Inspector.targetCrashed', {}, 'OTHER'), 1);
      testScheduler.flush();
      expect(batcher.stats).toMatchObject({ released: 1, gone: 0 });
      expect(isTargetGone(client)).toBe(false);
    });
  });
});
