import { TestScheduler } from 'rxjs/testing';
import { OpenBatch } from '../../src/internal/counters';
import { FixedWindow, type InFlightWindow } from '../../src/internal/inFlightWindow';
import { LOST_GRACE_MS, ReleaseCall, TargetLane, type LaneHost } from '../../src/internal/lane';
import type { BatchOutcome } from '../../src/outcome';
import type { ReleaseRequest } from '../../src/request';
import type { CdpTarget } from '../../src/target';
import { isTargetGone, markTargetGone } from '../../src/internal/targetLifecycle';
import { protocolError, VirtualAnswer, VirtualTarget } from '../support/virtualTarget';

/** A host that records what the lane tells it, in virtual time. */
class RecordingHost implements LaneHost<ReleaseRequest> {
  readonly timeoutMs: number;
  readonly maxBatch: number;
  readonly owner = null;
  readonly clock = (): number => this.scheduler.now();
  readonly events: string[] = [];
  readonly outcomes = new Map<string, { outcome: BatchOutcome; wasSent: boolean; at: number }[]>();
  idleCount = 0;
  gone: CdpTarget[] = [];
  onSettled: ((request: ReleaseRequest, outcome: BatchOutcome) => void) | null = null;

  constructor(readonly scheduler: TestScheduler, options: { timeoutMs?: number; maxBatch?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxBatch = options.maxBatch ?? 64;
  }

  sent(request: ReleaseRequest): void {
    this.events.push(`sent ${request.objectId ?? ''}`);
  }

  settled(request: ReleaseRequest, batch: OpenBatch, outcome: BatchOutcome, wasSent: boolean): void {
    batch.count(outcome);
    const id = request.objectId ?? '';
    this.events.push(`${outcome} ${id}`);
    const list = this.outcomes.get(id) ?? [];
    list.push({ outcome, wasSent, at: this.scheduler.now() });
    this.outcomes.set(id, list);
    this.onSettled?.(request, outcome);
  }

  targetGone(target: CdpTarget): void {
    this.gone.push(target);
  }

  idle(): void {
    this.idleCount++;
  }
}

/** A window that records what it is told. */
class SpyWindow implements InFlightWindow {
  backlogged = 0;
  drains = 0;
  constructor(public limit: number) {}
  backloggedSettle(): void {
    this.backlogged++;
  }
  drained(): void {
    this.drains++;
  }
}

/** A target whose every answer the test gives by hand, by object id. */
function answeredByHand(): { target: CdpTarget; answers: Map<string, VirtualAnswer> } {
  const answers = new Map<string, VirtualAnswer>();
  const target = {
    send: (_method: string, params: { objectId?: string }) => {
      const answer = new VirtualAnswer();
      answers.set(params.objectId ?? '', answer);
      return answer;
    },
  } as CdpTarget;
  return { target, answers };
}

/**
 * Sends `ids`, in order, to a target answered by hand; answers each id of `answerAt` at its virtual
 * time (the others never) and runs to the end. Call inside `scheduler.run`.
 */
function runAnswering(scheduler: TestScheduler, ids: string[], answerAt: Record<string, number>): RecordingHost {
  const host = new RecordingHost(scheduler);
  const { target, answers } = answeredByHand();
  laneOf(target, host).add(...ids);
  for (const [id, at] of Object.entries(answerAt)) scheduler.schedule(() => answers.get(id)?.resolve(), at);
  scheduler.flush();
  return host;
}

function laneOf(target: CdpTarget, host: RecordingHost, window: InFlightWindow = new FixedWindow(1024)): { lane: TargetLane<ReleaseRequest>; add: (...ids: string[]) => void } {
  const lane = new TargetLane<ReleaseRequest>(target, host, () => window);
  const batch = new OpenBatch(1, 1_000_000, 0);
  return { lane, add: (...ids) => ids.forEach((id) => lane.add(new ReleaseCall<ReleaseRequest>({ target, objectId: id }, batch))) };
}

describe('TargetLane', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  });

  it('sends while its window has room, queues the rest in order, and refills as calls settle', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler, { maxBatch: 1 });
      const target = new VirtualTarget('t', scheduler, () => ({ delay: 2 }));
      const { lane, add } = laneOf(target, host, new FixedWindow(2));
      add('a', 'b', 'c', 'd', 'e');
      expect(target.ids).toEqual(['a', 'b']);
      expect({ inFlight: lane.inFlight, waiting: lane.waiting }).toEqual({ inFlight: 2, waiting: 3 });
      scheduler.flush();
      expect(target.ids).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(target.sendTimes).toEqual([0, 0, 2, 2, 4]);
      expect(target.maxOutstanding).toBe(2);
    });
  });

  it('a call added while earlier ones wait for a refill goes behind them, never ahead', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler);
      const { target, answers } = answeredByHand();
      const { lane, add } = laneOf(target, host, new FixedWindow(8)); // refills in chunks of 2
      add(...'abcdefghij'.split(''));
      answers.get('a')?.resolve(); // one slot free, two waiting: no refill yet
      expect({ inFlight: lane.inFlight, waiting: lane.waiting }).toEqual({ inFlight: 7, waiting: 2 });
      add('k'); // a free slot, but i and j were first
      expect(host.events.filter((e) => e.startsWith('sent')).slice(8)).toEqual([]);
      expect(lane.waiting).toBe(3);
      answers.get('b')?.resolve();
      expect(host.events.filter((e) => e.startsWith('sent')).slice(8)).toEqual(['sent i', 'sent j']);
    });
  });

  it('dropWaiting() drops the waiting calls unsent; the calls in flight still settle, and then the lane is idle', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler);
      const target = new VirtualTarget('t', scheduler, () => ({ delay: 5 }));
      const { lane, add } = laneOf(target, host, new FixedWindow(1));
      add('a', 'b', 'c');
      lane.dropWaiting();
      expect(host.events).toEqual(['sent a', 'dropped b', 'dropped c']);
      expect(host.idleCount).toBe(0); // a is still in flight
      scheduler.flush();
      expect(host.events).toEqual(['sent a', 'dropped b', 'dropped c', 'released a']);
      expect(host.idleCount).toBe(1);
      expect(target.ids).toEqual(['a']);
    });
  });

  it('tells its host it is idle exactly once, when nothing waits and nothing is in flight, and stops watching its target', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler);
      const target = new VirtualTarget('t', scheduler, () => ({ delay: 3 }));
      const { add } = laneOf(target, host);
      add('a', 'b');
      scheduler.flush();
      expect(host.idleCount).toBe(1);
      markTargetGone(target); // after the lane ended: its watch is gone, its host hears nothing
      expect(host.gone).toEqual([]);
    });
  });

  it('hears its target go while it has calls, and forget() drops the waiting ones unsent and settles the sent ones gone at once', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler);
      const target = new VirtualTarget('t', scheduler, () => 'never');
      const { lane, add } = laneOf(target, host, new FixedWindow(2));
      add('a', 'b', 'c');
      markTargetGone(target);
      expect(host.gone).toEqual([target]);
      lane.forget();
      expect(host.events).toEqual(['sent a', 'sent b', 'dropped c', 'gone a', 'gone b']);
      expect(host.outcomes.get('c')).toEqual([{ outcome: 'dropped', wasSent: false, at: 0 }]);
      expect(host.idleCount).toBe(1);
      scheduler.flush(); // no timer left to fire: nothing times out later
      expect(host.events).toHaveLength(5);
    });
  });

  it('sends nothing while it is being emptied, and drops what a settlement adds to it then', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler);
      const target = new VirtualTarget('t', scheduler, () => 'never');
      const { lane, add } = laneOf(target, host, new FixedWindow(1));
      add('a', 'b');
      host.onSettled = (request) => {
        if (request.objectId === 'a') add('late'); // the slot 'a' frees must not be refilled mid-forget
      };
      lane.forget();
      expect(target.ids).toEqual(['a']);
      expect(host.outcomes.get('late')).toEqual([{ outcome: 'dropped', wasSent: false, at: 0 }]);
      expect(lane.waiting).toBe(0);
      expect(host.idleCount).toBe(1);
    });
  });

  it('a target that throws on every send: each call settles once, iteratively, and the lane ends', () => {
    const host = new RecordingHost(scheduler);
    let sends = 0;
    const target: CdpTarget = {
      send: () => {
        sends++;
        throw new Error('boom');
      },
    };
    const { lane, add } = laneOf(target, host, new FixedWindow(1));
    const ids = Array.from({ length: 20_000 }, (_, i) => `id${i}`);
    lane.add(new ReleaseCall<ReleaseRequest>({ target, objectId: 'first' }, new OpenBatch(1, 1, 0)));
    add(...ids); // the first call settled synchronously; these go out one by one as each one fails
    expect(sends).toBe(20_001);
    expect([...host.outcomes.values()].every((list) => list.length === 1 && list[0]?.outcome === 'failed')).toBe(true);
    expect(lane.inFlight).toBe(0);
    expect(host.idleCount).toBeGreaterThanOrEqual(1);
  });

  it('tells the window about settlements under a backlog only', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler);
      const window = new SpyWindow(1);
      const target = new VirtualTarget('t', scheduler, () => ({ delay: 1 }));
      const { add } = laneOf(target, host, window);
      add('a', 'b', 'c');
      scheduler.flush();
      expect({ backlogged: window.backlogged, drains: window.drains }).toEqual({ backlogged: 2, drains: 1 });
    });
  });

  it('times the oldest call out at timeoutMs and settles the backlog timedOut unsent; later calls get a fresh chance', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler, { timeoutMs: 50 });
      let hang = true;
      const target = new VirtualTarget('t', scheduler, () => (hang ? 'never' : { delay: 1 }));
      const { add } = laneOf(target, host, new FixedWindow(1));
      add('a', 'b', 'c');
      scheduler.schedule(() => {
        hang = false;
        add('d');
      }, 60);
      scheduler.flush();
      expect(target.ids).toEqual(['a', 'd']);
      expect(host.outcomes.get('a')).toEqual([{ outcome: 'timedOut', wasSent: true, at: 50 }]);
      expect(host.outcomes.get('b')).toEqual([{ outcome: 'timedOut', wasSent: false, at: 50 }]);
      expect(host.outcomes.get('c')).toEqual([{ outcome: 'timedOut', wasSent: false, at: 50 }]);
      expect(host.outcomes.get('d')).toEqual([{ outcome: 'released', wasSent: true, at: 61 }]);
    });
  });

  it('judges a call overtaken by a later answer lost after the grace, not at its timeout', () => {
    scheduler.run(() => {
      const host = runAnswering(scheduler, ['a', 'b'], { b: 5 }); // b overtakes a: a was dropped by Chrome
      expect(host.outcomes.get('a')).toEqual([{ outcome: 'gone', wasSent: true, at: 5 + LOST_GRACE_MS }]);
      expect(host.outcomes.get('b')).toEqual([{ outcome: 'released', wasSent: true, at: 5 }]);
      expect(host.idleCount).toBe(1);
    });
  });

  it('a second call overtaken while the first is watched is judged from its own overtaking', () => {
    scheduler.run(() => {
      // b overtakes a; d overtakes c too, while a is watched
      const host = runAnswering(scheduler, ['a', 'b', 'c', 'd'], { b: 10, d: 500 });
      expect(host.outcomes.get('a')).toEqual([{ outcome: 'gone', wasSent: true, at: 10 + LOST_GRACE_MS }]);
      // c is watched from the sweep that judged a (the later answer was already in), not held to 30 s
      expect(host.outcomes.get('c')).toEqual([{ outcome: 'gone', wasSent: true, at: 10 + 2 * LOST_GRACE_MS }]);
    });
  });

  it('an answer in send order starts no watch: a later overtaking is judged from its own answer', () => {
    scheduler.run(() => {
      const host = runAnswering(scheduler, ['a', 'b', 'c'], { a: 5, c: 10 }); // a in order: nothing overtaken; c overtakes b
      expect(host.outcomes.get('b')).toEqual([{ outcome: 'gone', wasSent: true, at: 10 + LOST_GRACE_MS }]);
    });
  });

  it('a late answer to an overtaken call does not hide the later overtaking from the sweep', () => {
    scheduler.run(() => {
      // b overtakes a (watched), d overtakes c too, then a answers after all, within the grace
      const host = runAnswering(scheduler, ['a', 'b', 'c', 'd'], { b: 10, d: 500, a: 600 });
      expect(host.outcomes.get('a')).toEqual([{ outcome: 'released', wasSent: true, at: 600 }]);
      expect(host.outcomes.get('c')).toEqual([{ outcome: 'gone', wasSent: true, at: 10 + 2 * LOST_GRACE_MS }]);
    });
  });

  it('lets settled calls go as soon as every earlier one has settled: it holds no more than is outstanding', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler);
      const { target, answers } = answeredByHand();
      const { lane, add } = laneOf(target, host);
      add('a', 'b', 'c');
      answers.get('b')?.resolve(); // settled, but a was sent before it: held until a settles
      expect({ inFlight: lane.inFlight, held: lane.held }).toEqual({ inFlight: 2, held: 3 });
      answers.get('a')?.resolve();
      expect({ inFlight: lane.inFlight, held: lane.held }).toEqual({ inFlight: 1, held: 1 });
      answers.get('c')?.resolve();
      expect({ inFlight: lane.inFlight, held: lane.held }).toEqual({ inFlight: 0, held: 0 });
    });
  });

  it('a target answering synchronously, with a value or with nothing, has each call released; a thenable that throws has it failed at once', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler, { timeoutMs: 50 });
      const throwingThen = { then: () => { throw new Error('then threw'); } };
      const throwingGetter = Object.defineProperty({}, 'then', { get: () => { throw new Error('getter threw'); } });
      const answers: Record<string, unknown> = { null: null, undefined, zero: 0, text: 'ok', object: {}, fn: () => 1, throwingThen, throwingGetter };
      const target = { send: (_m: string, params: { objectId?: string }) => answers[params.objectId ?? ''] } as CdpTarget;
      const { lane, add } = laneOf(target, host);
      add(...Object.keys(answers));
      const outcomes = Object.fromEntries([...host.outcomes].map(([id, list]) => [id, list.map((o) => `${o.outcome}@${o.at}`)]));
      expect(outcomes).toEqual({
        null: ['released@0'], undefined: ['released@0'], zero: ['released@0'], text: ['released@0'], object: ['released@0'], fn: ['released@0'],
        throwingThen: ['failed@0'], throwingGetter: ['failed@0'],
      });
      expect({ inFlight: lane.inFlight, idle: host.idleCount }).toEqual({ inFlight: 0, idle: 1 });
    });
  });

  it('a late "Target closed" to a call already timed out is ignored: the target is not marked gone', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler, { timeoutMs: 50 });
      const { target, answers } = answeredByHand();
      const { add } = laneOf(target, host);
      add('a');
      scheduler.schedule(() => answers.get('a')?.reject(protocolError('Target closed')), 60);
      scheduler.flush();
      expect(host.outcomes.get('a')).toEqual([{ outcome: 'timedOut', wasSent: true, at: 50 }]);
      expect(isTargetGone(target)).toBe(false);
      expect(host.gone).toEqual([]);
    });
  });

  it('a timeout due before an overtaking\'s grace ends judges only the timed-out call: the overtaken one keeps its grace', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler, { timeoutMs: 1_500 });
      const target = new VirtualTarget('t', scheduler, (id) => (id === 'c' ? { delay: 100 } : 'never'));
      const { add } = laneOf(target, host);
      add('a');
      scheduler.schedule(() => add('b', 'c'), 600); // c's answer at 700 overtakes b (and a)
      scheduler.flush();
      expect(host.outcomes.get('a')).toEqual([{ outcome: 'timedOut', wasSent: true, at: 1_500 }]);
      expect(host.outcomes.get('b')).toEqual([{ outcome: 'gone', wasSent: true, at: 700 + LOST_GRACE_MS }]);
    });
  });

  it('the slots freed by judging calls lost are refilled from the backlog at once', () => {
    scheduler.run(() => {
      const host = new RecordingHost(scheduler);
      const target = new VirtualTarget('t', scheduler, (id) => (id === 'b' ? { delay: 10 } : 'never'));
      const { add } = laneOf(target, host, new FixedWindow(8)); // refills in chunks of 2
      add(...'abcdefghij'.split('')); // i and j wait; b's answer frees one slot only, and overtakes a
      scheduler.flush();
      expect(host.outcomes.get('a')).toEqual([{ outcome: 'gone', wasSent: true, at: 10 + LOST_GRACE_MS }]);
      expect(target.calls.filter((c) => c.id === 'i' || c.id === 'j').map((c) => c.time)).toEqual([10 + LOST_GRACE_MS, 10 + LOST_GRACE_MS]);
    });
  });
});

describe('TargetLane: what a client captures while a release is sent', () => {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const limit = Error.stackTraceLimit;
  afterEach(() => {
    Error.stackTraceLimit = limit;
  });

  it('captures no stack trace for the client\'s own per-command Error (puppeteer-core makes one per send), and puts the limit back', () => {
    const stacks: number[] = [];
    const target = {
      send: (): Promise<unknown> => {
        stacks.push((new Error('bookkeeping').stack ?? '').split('\n').length - 1); // frames below the message line
        return Promise.resolve({});
      },
    };
    Error.stackTraceLimit = 7;
    const { add } = laneOf(target, new RecordingHost(scheduler));
    add('a', 'b');
    expect(stacks).toEqual([0, 0]);
    expect(Error.stackTraceLimit).toBe(7);
  });

  it('puts the limit back when the client throws synchronously, and its error still settles the call', () => {
    const host = new RecordingHost(scheduler);
    const target = { send: (): never => { throw new Error('WebSocket connection closed'); } };
    Error.stackTraceLimit = 9;
    laneOf(target, host).add('a');
    expect(Error.stackTraceLimit).toBe(9);
    expect(host.outcomes.get('a')).toEqual([{ outcome: 'gone', wasSent: true, at: expect.any(Number) as number }]);
  });
});
